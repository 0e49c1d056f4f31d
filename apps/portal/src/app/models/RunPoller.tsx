// Re-renders the Models page every few seconds while a training run is queued or running, so its progress
// (epoch, step, loss, ETA) updates live; stops once none is.
import { RefreshPoller } from '../../components/RefreshPoller.tsx';

export const POLL_MS = 3000;

export function RunPoller(props: { active: boolean }) {
  return (
    <RefreshPoller active={props.active} everyMs={POLL_MS} testId="run-polling">
      A run is in progress: this page refreshes every {POLL_MS / 1000} s.
    </RefreshPoller>
  );
}
