// Next.js settings for the portal. It is served by `next start` (see src/launch/portal.ts).
import type { NextConfig } from 'next';

const config: NextConfig = {
  // The root `tsc -p tsconfig.json` type-checks the portal with the rest of the monorepo; `next build`
  // need not do it again on a 2-core machine.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // The shared maths (@gexbert/model/maths, TypeScript source in the workspace) is compiled into the bundle.
  transpilePackages: ['@gexbert/model'],
  reactStrictMode: true,
  // unauthorized() / forbidden(): server actions without a session (or with too low a role) answer 401/403.
  experimental: { authInterrupts: true },
};

export default config;
