'use client';
// The sign-in form: the user's own API token, checked and kept by the portal's server.
import { useActionState } from 'react';
import { type SignInState, signIn } from './actions.ts';

export function SignInForm(props: { next: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signIn, { error: null });
  return (
    <form action={action} className="stack panel" aria-describedby="signin-help">
      <p id="signin-help" className="muted">
        Sign in with your own API token (create one with{' '}
        <code>gexbert token create --name &lt;you&gt; --role reader|curator|admin</code>). Readers browse;
        curators also create cohorts; admins also retrain. The token stays on the portal&apos;s server; your
        browser keeps only a session cookie, which ends when you sign out or after a while unused.
      </p>
      <input type="hidden" name="next" value={props.next} />
      <label>
        API token <input type="password" name="token" autoComplete="off" required style={{ width: '100%' }} />
      </label>
      {state.error && (
        <p role="alert" className="error-text" data-testid="signin-error">
          {state.error}
        </p>
      )}
      <div>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </div>
    </form>
  );
}
