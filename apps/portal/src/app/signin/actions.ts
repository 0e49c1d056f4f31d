'use server';
// Signing in and out. Sign-in checks the typed API token with the API (`viewer`: its role and name) and
// opens a session: an httpOnly, SameSite=Strict cookie (Secure over HTTPS) holding a random id; the token
// itself stays in the portal's server (lib/session.ts). Next.js refuses server actions posted from another
// origin (CSRF).
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { ViewerDocument } from '../../generated/graphql.ts';
import { ApiError, apiRequest } from '../../lib/api.ts';
import { clientAddress, isHttps, safeNext, sessions, signInLimiter } from '../../lib/auth.ts';
import { SESSION_COOKIE } from '../../lib/session.ts';

export interface SignInState {
  error: string | null;
}

export async function signIn(_state: SignInState, form: FormData): Promise<SignInState> {
  const token = String(form.get('token') ?? '').trim();
  if (!token) return { error: 'Enter your API token.' };
  const client = await clientAddress();
  const wait = signInLimiter.waitMs(client);
  if (wait > 0)
    return {
      error: `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60_000)} min (nothing was checked).`,
    };
  let viewer: { role: 'READER' | 'CURATOR' | 'ADMIN'; tokenName?: string | null };
  try {
    viewer = (await apiRequest(ViewerDocument, {}, token)).viewer;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (!error.unreachable) signInLimiter.failed(client);
    return {
      error: error.unreachable
        ? error.message
        : `The API did not accept this token (${error.message}). Create one with gexbert token create --name <you> --role reader|curator|admin.`,
    };
  }
  signInLimiter.succeeded(client);
  const jar = await cookies();
  sessions.delete(jar.get(SESSION_COOKIE)?.value);
  const id = sessions.create(token, viewer.role, viewer.tokenName ?? null);
  jar.set(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: await isHttps(), path: '/' });
  redirect(safeNext(form.get('next')));
}

export async function signOut(): Promise<void> {
  const jar = await cookies();
  sessions.delete(jar.get(SESSION_COOKIE)?.value);
  jar.delete(SESSION_COOKIE);
  redirect('/signin');
}
