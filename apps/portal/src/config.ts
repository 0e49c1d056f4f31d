// The portal's server-side settings: one zod-validated object, read from GEXBERT_PORTAL_* variables
// (`gexbert start` sets them for the `next start` it runs). No token here reaches the browser: each visitor
// signs in with their own API token (kept server-side, see lib/session.ts).
import { z } from 'zod';

export const PortalConfigSchema = z.object({
  /** The GraphQL endpoint the portal's server talks to, e.g. http://127.0.0.1:4000/graphql. */
  apiUrl: z.url(),
  /**
   * A reader token for visitors who have not signed in, set only when anonymous read access is on
   * (GEXBERT_PORTAL_ANONYMOUS=read for `gexbert start`); absent, every page asks to sign in.
   */
  anonymousToken: z.string().min(1).optional(),
  /** Minutes a session may stay unused before it ends (sign in again). */
  sessionIdleMinutes: z.coerce.number().positive().default(480),
  /** Failed sign-ins one client may make within `signInWindowMinutes` before it must wait. */
  signInFailures: z.coerce.number().int().min(1).default(10),
  signInWindowMinutes: z.coerce.number().positive().default(15),
  /** Failed sign-ins the whole portal takes per minute (a client can forge the address it is counted by). */
  signInFailuresPerMinute: z.coerce.number().int().min(1).default(60),
  /** Rows fetched per API request when the portal reads a whole list (at most the API's page size). */
  pageSize: z.coerce.number().int().min(1).max(500).default(500),
  /** Most rows of one table the portal loads whole (the cohort sample table pages through the API instead). */
  maxTableRows: z.coerce.number().int().min(1).default(20_000),
});
export type PortalConfig = z.infer<typeof PortalConfigSchema>;

/** Environment variables and the setting each sets. */
export const PORTAL_ENV = {
  GEXBERT_PORTAL_API_URL: 'apiUrl',
  GEXBERT_PORTAL_ANONYMOUS_TOKEN: 'anonymousToken',
  GEXBERT_PORTAL_SESSION_IDLE_MINUTES: 'sessionIdleMinutes',
  GEXBERT_PORTAL_SIGNIN_FAILURES: 'signInFailures',
  GEXBERT_PORTAL_SIGNIN_WINDOW_MINUTES: 'signInWindowMinutes',
  GEXBERT_PORTAL_SIGNIN_FAILURES_PER_MINUTE: 'signInFailuresPerMinute',
  GEXBERT_PORTAL_PAGE_SIZE: 'pageSize',
  GEXBERT_PORTAL_MAX_TABLE_ROWS: 'maxTableRows',
} as const;

/** The settings from the environment; throws one line naming the variable and the fix when invalid. */
export function loadPortalConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PortalConfig {
  const values: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(PORTAL_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') values[key] = value;
  }
  const parsed = PortalConfigSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = Object.entries(PORTAL_ENV).find(([, key]) => key === issue.path[0])?.[0];
    throw new Error(
      `invalid portal setting ${name ?? issue.path.join('.')}: ${issue.message} ` +
        '(`gexbert start` sets it; to run the portal alone, set GEXBERT_PORTAL_API_URL)',
    );
  }
  return parsed.data;
}
