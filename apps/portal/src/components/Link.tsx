// The portal's links: next/link without prefetching. Every page here is rendered on request from the
// database, and a prefetch renders its target on the server while the current page is still loading: the
// header's links alone were four server renders per page view, and the dashboard's map waited behind them.
import NextLink from 'next/link';
import type { ComponentProps } from 'react';

export function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />;
}
