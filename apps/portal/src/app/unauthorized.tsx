import { Link } from '../components/Link.tsx';

// HTTP 401: a server action or page needed a signed-in user.
export default function Unauthorized() {
  return (
    <div className="error-box" role="alert">
      <h1>Sign in first</h1>
      <p>
        This needs a signed-in user. <Link href="/signin">Sign in</Link> with your API token.
      </p>
    </div>
  );
}
