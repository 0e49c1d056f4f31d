// What a dashboard section shows when its request to the API failed: the section's name and the message.
export function SectionFailure(props: { what: string; message: string }) {
  return (
    <p role="alert" className="error-text">
      {props.what} could not be loaded: {props.message}
    </p>
  );
}
