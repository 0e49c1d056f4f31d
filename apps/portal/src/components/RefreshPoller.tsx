'use client';
// Re-renders the page every few seconds while something it shows is in progress (a training run, a
// comparison running as a job), so its progress updates live; stops once nothing is.
import { useRouter } from 'next/navigation';
import { type ReactNode, useEffect } from 'react';

export function RefreshPoller(props: {
  active: boolean;
  everyMs: number;
  children: ReactNode;
  testId?: string;
}) {
  const router = useRouter();
  useEffect(() => {
    if (!props.active) return;
    const timer = setInterval(() => router.refresh(), props.everyMs);
    return () => clearInterval(timer);
  }, [props.active, props.everyMs, router]);
  return props.active ? (
    <p className="muted" role="status" data-testid={props.testId}>
      {props.children}
    </p>
  ) : null;
}
