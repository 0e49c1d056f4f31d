// A page's data could not be loaded: the API's message, and what to try when the API was not reachable.
export function ApiFailure(props: { what: string; message: string; unreachable?: boolean }) {
  return (
    <div className="error-box" role="alert">
      <h1>{props.what} could not be loaded</h1>
      <p>{props.message}</p>
      {props.unreachable && (
        <p className="muted">
          Check that the GraphQL API is running (gexbert start prints its URL), then reload.
        </p>
      )}
    </div>
  );
}
