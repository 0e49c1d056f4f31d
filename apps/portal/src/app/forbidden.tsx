import { Link } from '../components/Link.tsx';

// HTTP 403: the signed-in user's role may not do this (e.g. a reader creating a cohort).
export default function Forbidden() {
  return (
    <div className="error-box" role="alert">
      <h1>Not allowed</h1>
      <p>
        Your role may not do this. <Link href="/signin">Sign in</Link> with a token of a role that may.
      </p>
    </div>
  );
}
