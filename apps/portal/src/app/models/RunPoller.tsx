'use client';
// Re-renders the Models page every few seconds while a training run is queued or running, so its progress
// (epoch, step, loss, ETA) updates live; stops once none is.
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

export const POLL_MS = 3000;

export function RunPoller(props: { active: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (!props.active) return;
    const timer = setInterval(() => router.refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [props.active, router]);
  return props.active ? (
    <p className="muted" role="status" data-testid="run-polling">
      A run is in progress: this page refreshes every {POLL_MS / 1000} s.
    </p>
  ) : null;
}
