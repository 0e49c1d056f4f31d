import { describe, expect, it } from 'vitest';
import { SignInLimiter } from '../src/lib/signInLimit.ts';

const limits = { perClient: 3, clientWindowMs: 10_000, perMinute: 5 };

describe('SignInLimiter', () => {
  it('lets a client fail perClient times, then makes it wait until its oldest failure leaves the window', () => {
    const limiter = new SignInLimiter(() => limits);
    for (const t of [0, 1000, 2000]) {
      expect(limiter.waitMs('a', t)).toBe(0);
      limiter.failed('a', t);
    }
    expect(limiter.waitMs('a', 2500)).toBe(7500); // the failure at 0 leaves the window at 10,000
    expect(limiter.waitMs('b', 2500)).toBe(0); // other clients are not held up
    expect(limiter.waitMs('a', 10_000)).toBe(0);
  });

  it('a success clears the client; the portal-wide limit holds every client for the rest of the minute', () => {
    const limiter = new SignInLimiter(() => limits);
    limiter.failed('a', 0);
    limiter.failed('a', 1);
    limiter.succeeded('a');
    limiter.failed('a', 2);
    expect(limiter.waitMs('a', 3)).toBe(0);
    // forged addresses: one failure each, five in a minute
    for (let i = 0; i < 4; i++) limiter.failed(`forged-${i}`, 10 + i);
    expect(limiter.waitMs('someone-else', 20)).toBe(60_000 + 2 - 20); // the 5th newest was at t=2
    expect(limiter.waitMs('someone-else', 60_002)).toBe(0);
  });
});
