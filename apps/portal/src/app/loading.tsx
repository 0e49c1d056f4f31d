// Shown while a page's data is on its way from the API.
export default function Loading() {
  return (
    <div className="loading" role="status" aria-live="polite">
      <p>Loading…</p>
      <div className="skeleton" style={{ width: '60%' }} />
      <div className="skeleton" style={{ width: '80%' }} />
      <div className="skeleton" style={{ width: '40%' }} />
    </div>
  );
}
