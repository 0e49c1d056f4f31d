// The portal's session store: random ids, idle expiry (each use restarts the clock), sign-out.
import { describe, expect, it } from 'vitest';
import { hasRole, SessionStore } from '../src/lib/session.ts';

describe('sessions', () => {
  it('ends a session after the idle time, each use restarting the clock', () => {
    const store = new SessionStore(() => 1000);
    const id = store.create('gxb_t', 'CURATOR', 'me', 0);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.get(id, 900)?.role).toBe('CURATOR');
    expect(store.get(id, 1800)?.token).toBe('gxb_t');
    expect(store.get(id, 2801)).toBeNull();
    expect(store.get(id, 2802)).toBeNull();
  });
  it('knows no forged id and forgets a signed-out session', () => {
    const store = new SessionStore(() => 60_000);
    const id = store.create('gxb_t', 'READER', null);
    expect(store.get('forged')).toBeNull();
    expect(store.get(undefined)).toBeNull();
    expect(store.create('gxb_t', 'READER', null)).not.toBe(id);
    store.delete(id);
    expect(store.get(id)).toBeNull();
  });
  it('ranks roles as the API does', () => {
    expect(hasRole('ADMIN', 'CURATOR')).toBe(true);
    expect(hasRole('READER', 'CURATOR')).toBe(false);
    expect(hasRole(null, 'READER')).toBe(false);
  });
});
