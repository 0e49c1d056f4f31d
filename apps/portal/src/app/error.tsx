'use client';
// Shown when a page could not get its data (the API is down, refused the token, or answered an error).
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="error-box" role="alert">
      <h1>This page could not be shown</h1>
      <p>{error.message || 'The portal could not get its data from the GraphQL API.'}</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
