// The sign-in page: every page sends visitors here until they sign in (unless anonymous read access is on).
import type { Metadata } from 'next';
import { currentUser, safeNext } from '../../lib/auth.ts';
import { SignInForm } from './SignInForm.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next);
  const user = await currentUser();
  return (
    <>
      <h1>Sign in</h1>
      {user && !user.anonymous && (
        <p className="muted" data-testid="signed-in-as">
          You are signed in as {user.name ?? 'a token without a name'} ({user.role.toLowerCase()}); signing in
          again replaces this session.
        </p>
      )}
      <SignInForm next={next} />
    </>
  );
}
