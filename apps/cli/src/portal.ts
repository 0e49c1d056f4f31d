// `gexbert start` serves the portal beside the API: a build when the build is missing or stale, then
// `next start`; prints "Portal <url>" once it answers. Visitors sign in with their own API tokens; the portal
// gets a token of its own (a reader's, revoked on stop) only when GEXBERT_PORTAL_ANONYMOUS=read lets
// visitors who have not signed in read.
import { createToken, revokeToken } from '@gexbert/core/auth/tokens';
import type { PrismaClient } from '@gexbert/core/db/prisma';
import { buildIsCurrent } from '@gexbert/portal/launch/build';
import { loadPortalLaunchConfig } from '@gexbert/portal/launch/config';
import { PortalServer } from '@gexbert/portal/launch/server';

export interface RunningPortal {
  /** Resolves when the portal answers (or has failed, which is reported on stderr). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the portal in the background; null when GEXBERT_PORTAL=off. */
export async function startPortalBesideApi(
  prisma: PrismaClient,
  apiUrl: string,
): Promise<RunningPortal | null> {
  const config = loadPortalLaunchConfig();
  if (config.enabled === 'off') return null;
  const anonymous =
    config.anonymous === 'read'
      ? await createToken(prisma, 'portal anonymous reader (gexbert start)', 'READER')
      : null;
  const debug = process.env.GEXBERT_DEBUG;
  const server = new PortalServer({
    apiUrl,
    ...(anonymous ? { anonymousToken: anonymous.token } : {}),
    config,
    log: (line) => debug && process.stderr.write(`portal: ${line}\n`),
  });
  let stopping = false;
  if (!buildIsCurrent()) console.log('Portal      building (first start after a change; a few minutes)…');
  const ready = server.start().then(
    (url) => console.log(`Portal      ${url}`),
    (error: Error) => {
      if (!stopping) process.stderr.write(`error: the portal did not start: ${error.message}\n`);
    },
  );
  return {
    ready,
    async stop() {
      stopping = true;
      await server.stop();
      if (anonymous) await revokeToken(prisma, anonymous.row.id).catch(() => {});
    },
  };
}
