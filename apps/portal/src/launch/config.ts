// How `gexbert start` runs the portal: one zod-validated object, read from GEXBERT_PORTAL_* variables.
import { z } from 'zod';

export const PortalLaunchSchema = z.object({
  /** Serve the portal at all ('off' for the API alone). */
  enabled: z.enum(['on', 'off']).default('on'),
  /** TCP port of `next start` (0 = any free port). */
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  host: z.string().min(1).default('127.0.0.1'),
  /**
   * What visitors who have not signed in may do: 'off' (the default: every page asks to sign in) or
   * 'read' (they read as a reader; `gexbert start` then gives the portal a reader token for them).
   */
  anonymous: z.enum(['off', 'read']).default('off'),
  /** Longest wait, in seconds, for a started portal to answer. */
  startTimeoutSeconds: z.coerce.number().int().min(1).default(60),
});
export type PortalLaunchConfig = z.infer<typeof PortalLaunchSchema>;

const ENV = {
  GEXBERT_PORTAL: 'enabled',
  GEXBERT_PORTAL_PORT: 'port',
  GEXBERT_PORTAL_HOST: 'host',
  GEXBERT_PORTAL_START_TIMEOUT: 'startTimeoutSeconds',
  GEXBERT_PORTAL_ANONYMOUS: 'anonymous',
} as const;

/** The settings from the environment; throws one line naming the variable when invalid. */
export function loadPortalLaunchConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PortalLaunchConfig {
  const values: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') values[key] = value;
  }
  const parsed = PortalLaunchSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = Object.entries(ENV).find(([, key]) => key === issue.path[0])?.[0];
    throw new Error(`invalid portal setting ${name ?? issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
