// Ordered groups of values split at cut-offs: a value above a cut-off goes to the higher group (the rule of
// model/src/evaluate/survival.ts riskGroupSurvival); quantile cut-offs are of type 7, as R's default.
import { quantile } from '@gexbert/model/stats';

export interface ValueGroups {
  /** Group names, lowest values first. */
  names: string[];
  /** Cut-offs between consecutive groups. */
  cutoffs: number[];
  /** The group of each value. */
  group: string[];
}

/** The group (of `names`, one more than `cutoffs`) a value falls in. */
export function groupAt(value: number, cutoffs: readonly number[], names: readonly string[]): string {
  let g = 0;
  while (g < cutoffs.length && value > cutoffs[g]!) g++;
  return names[g]!;
}

/** Splits values at their quantiles `probs` into `names` (one more name than probabilities). */
export function quantileGroups(
  values: readonly number[],
  probs: readonly number[],
  names: readonly string[],
): ValueGroups {
  const cutoffs = probs.map((q) => quantile(values, q));
  return { names: [...names], cutoffs, group: values.map((v) => groupAt(v, cutoffs, names)) };
}
