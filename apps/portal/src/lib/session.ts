// Signed-in visitors: the session cookie holds only a random id; the user's API token stays in this
// process's memory (a restart of the portal signs everyone out). A session ends after `idleMs` unused, or
// when its user signs out. Server-side only.
import { randomBytes } from 'node:crypto';

export type Role = 'READER' | 'CURATOR' | 'ADMIN';

export interface Session {
  /** The user's own API token, forwarded to the API on each of their requests. */
  token: string;
  role: Role;
  /** The token's name (who signed in). */
  name: string | null;
  lastUsed: number;
}

const ROLES: readonly Role[] = ['READER', 'CURATOR', 'ADMIN'];

/** True when `role` includes the rights of `needed` (READER < CURATOR < ADMIN), as the API ranks them. */
export function hasRole(role: Role | null | undefined, needed: Role): boolean {
  return !!role && ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export const SESSION_COOKIE = 'gexbert_session';
const MAX_SESSIONS = 10_000;

/** Session ids → sessions. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly idleMs: () => number) {}

  /** Opens a session; returns its id (256 random bits, the cookie's value). */
  create(token: string, role: Role, name: string | null, now = Date.now()): string {
    this.sweep(now);
    if (this.sessions.size >= MAX_SESSIONS) {
      // the least recently used session ends first
      const oldest = [...this.sessions.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (oldest) this.sessions.delete(oldest[0]);
    }
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { token, role, name, lastUsed: now });
    return id;
  }

  /** The live session with this id (its idle clock restarts), or null: unknown, forged or expired. */
  get(id: string | undefined, now = Date.now()): Session | null {
    if (!id) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    if (now - session.lastUsed > this.idleMs()) {
      this.sessions.delete(id);
      return null;
    }
    session.lastUsed = now;
    return session;
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private sweep(now: number): void {
    for (const [id, session] of this.sessions)
      if (now - session.lastUsed > this.idleMs()) this.sessions.delete(id);
  }
}
