// Failed sign-ins are limited: per client (its address as the request gives it) and for the whole portal,
// so that guessing tokens cannot hammer the API through the sign-in form. While a limit is reached the
// portal refuses sign-ins without asking the API. Counts live in this process (a restart clears them).
// Behind a reverse proxy, the proxy must set X-Forwarded-For; a client can forge that header, which is why
// the portal-wide limit exists too (it bounds the API's sign-in load, and a lock-out lasts one minute).

export interface SignInLimits {
  /** Failed sign-ins one client may make within `clientWindowMs`. */
  perClient: number;
  clientWindowMs: number;
  /** Failed sign-ins the whole portal takes per minute. */
  perMinute: number;
}

const MINUTE = 60_000;
const MAX_CLIENTS = 100_000;

export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();
  private recent: number[] = [];

  constructor(private readonly limits: () => SignInLimits) {}

  /** 0 when `client` may try to sign in now; otherwise the milliseconds until it may. */
  waitMs(client: string, now = Date.now()): number {
    const { perClient, clientWindowMs, perMinute } = this.limits();
    this.recent = this.recent.filter((t) => now - t < MINUTE);
    const own = (this.failures.get(client) ?? []).filter((t) => now - t < clientWindowMs);
    const waits = [0];
    if (own.length >= perClient) waits.push(own[own.length - perClient]! + clientWindowMs - now);
    if (this.recent.length >= perMinute)
      waits.push(this.recent[this.recent.length - perMinute]! + MINUTE - now);
    return Math.max(...waits);
  }

  /** Records a failed sign-in of `client`. */
  failed(client: string, now = Date.now()): void {
    const { perClient, clientWindowMs } = this.limits();
    if (!this.failures.has(client) && this.failures.size >= MAX_CLIENTS) this.sweep(now, clientWindowMs);
    const own = (this.failures.get(client) ?? []).filter((t) => now - t < clientWindowMs);
    own.push(now);
    this.failures.set(client, own.slice(-perClient));
    this.recent.push(now);
  }

  /** A successful sign-in clears the client's failures. */
  succeeded(client: string): void {
    this.failures.delete(client);
  }

  private sweep(now: number, windowMs: number): void {
    for (const [client, times] of this.failures)
      if (times.every((t) => now - t >= windowMs)) this.failures.delete(client);
    if (this.failures.size >= MAX_CLIENTS) this.failures.clear();
  }
}
