// Who is asking: the signed-in user of this request (session cookie → lib/session.ts), or the anonymous
// reader when anonymous read access is on, or nobody. Pages call requireUser (nobody → the sign-in page),
// server actions and route handlers requireRole / userOrNull (nobody → 401). Server-side only.
import { cookies, headers } from 'next/headers';
import { forbidden, redirect, unauthorized } from 'next/navigation';
import { loadPortalConfig } from '../config.ts';
import { hasRole, type Role, SESSION_COOKIE, SessionStore } from './session.ts';
import { SignInLimiter } from './signInLimit.ts';

export interface User {
  token: string;
  role: Role;
  name: string | null;
  /** True for a visitor who has not signed in (anonymous read access). */
  anonymous: boolean;
}

// One store per process, whichever bundle (page, action, route handler) imports this module.
const STORE_KEY = Symbol.for('gexbert.portal.sessions');
const holder = globalThis as { [STORE_KEY]?: SessionStore };
if (!holder[STORE_KEY])
  holder[STORE_KEY] = new SessionStore(() => loadPortalConfig().sessionIdleMinutes * 60_000);
export const sessions: SessionStore = holder[STORE_KEY];

const LIMITER_KEY = Symbol.for('gexbert.portal.signInLimiter');
const limiterHolder = globalThis as { [LIMITER_KEY]?: SignInLimiter };
limiterHolder[LIMITER_KEY] ??= new SignInLimiter(() => {
  const config = loadPortalConfig();
  return {
    perClient: config.signInFailures,
    clientWindowMs: config.signInWindowMinutes * 60_000,
    perMinute: config.signInFailuresPerMinute,
  };
});
/** Failed sign-ins, limited per client and portal-wide (lib/signInLimit.ts). */
export const signInLimiter: SignInLimiter = limiterHolder[LIMITER_KEY];

/** The address a request came from, as the portal's server saw it (or a proxy said in X-Forwarded-For). */
export async function clientAddress(): Promise<string> {
  return (await headers()).get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}

/** The user of this request, or null (not signed in, or a forged or expired cookie). */
export async function currentUser(): Promise<User | null> {
  const id = (await cookies()).get(SESSION_COOKIE)?.value;
  const session = sessions.get(id);
  if (session) return { token: session.token, role: session.role, name: session.name, anonymous: false };
  const anonymousToken = loadPortalConfig().anonymousToken;
  return anonymousToken ? { token: anonymousToken, role: 'READER', name: null, anonymous: true } : null;
}

/** Ends this request's session (its token was refused by the API); the cookie then opens nothing. */
export async function endCurrentSession(): Promise<void> {
  sessions.delete((await cookies()).get(SESSION_COOKIE)?.value);
}

/** For pages: the user, or a redirect to the sign-in page that comes back to `path`. */
export async function requireUser(path: string): Promise<User> {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(path)}`);
  return user;
}

/**
 * For server actions: the user when they have at least `role`; otherwise nothing is done and the request
 * ends with HTTP 401 (nobody signed in) or 403 (a role below `role`).
 */
export async function requireRole(role: Role): Promise<User> {
  const user = await currentUser();
  if (!user) unauthorized();
  if (!hasRole(user.role, role)) forbidden();
  return user;
}

/** True when the request came over HTTPS (directly or through a proxy that says so). */
export async function isHttps(): Promise<boolean> {
  const proto = (await headers()).get('x-forwarded-proto');
  return proto?.split(',')[0]?.trim() === 'https';
}

/** Where to go after signing in: a path of this portal only (never another site). */
export function safeNext(next: unknown): string {
  const path = typeof next === 'string' ? next : '';
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/cohorts';
}
