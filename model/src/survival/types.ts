/** Event indicator, as in R's `Surv(time, status)`: 1 = the event (death) was observed, 0 = censored. */
export type EventIndicator = 0 | 1;

/**
 * Right-censored survival data: one entry per subject. `time` must be finite; `event[i]` tells whether
 * subject i had the event at `time[i]` (1) or was censored then (0).
 */
export interface SurvivalData {
  readonly time: ArrayLike<number>;
  readonly event: ArrayLike<EventIndicator>;
}

/** A group or stratum label. `null`/`undefined` mean missing (the row is dropped, like R's na.omit). */
export type GroupLabel = string | number;

/** A chi-square test: statistic, degrees of freedom and upper-tail p-value. */
export interface ChiSquareTest {
  statistic: number;
  df: number;
  pValue: number;
}
