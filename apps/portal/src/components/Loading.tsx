// What a section shows while it loads (a Suspense fallback): a status line that screen readers announce and
// that tests and benchmarks wait on (p.loading[role=status]).
export function Loading(props: { what: string }) {
  return (
    <p className="loading" role="status">
      {props.what}
    </p>
  );
}
