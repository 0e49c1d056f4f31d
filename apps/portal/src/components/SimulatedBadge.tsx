// The "simulated" badge: shown next to data ingested from `gexbert simulate` files (the demo cohort), and
// next to models trained on such data. Simulated samples never reach training unless a run asks for them.

export const SIMULATED_TITLE =
  'Synthetic data written by `gexbert simulate` (e.g. the demo cohort): kept out of model training, validation and reference sets unless a retraining asks for it.';

export function SimulatedBadge(props: { text?: string; title?: string; testId?: string }) {
  return (
    <span className="badge badge-simulated" title={props.title ?? SIMULATED_TITLE} data-testid={props.testId}>
      {props.text ?? 'simulated'}
    </span>
  );
}
