'use client';
// Re-renders the page every few seconds while something it shows is in progress (a training run, a
// comparison running as a job, a sample's attributions being computed), so its progress updates live; stops
// once nothing is. The next refresh is scheduled only once the previous one has rendered: on a loaded
// machine a page can take longer to render than the interval, and refreshes started on a fixed clock then
// supersede each other before any of them lands.
import { useRouter } from 'next/navigation';
import { type ReactNode, useEffect, useTransition } from 'react';

export function RefreshPoller(props: {
  active: boolean;
  everyMs: number;
  children: ReactNode;
  testId?: string;
}) {
  const router = useRouter();
  const [refreshing, startRefresh] = useTransition();
  useEffect(() => {
    if (!props.active || refreshing) return;
    const timer = setTimeout(() => startRefresh(() => router.refresh()), props.everyMs);
    return () => clearTimeout(timer);
  }, [props.active, props.everyMs, router, refreshing]);
  return props.active ? (
    <p className="muted" role="status" data-testid={props.testId}>
      {props.children}
    </p>
  ) : null;
}
