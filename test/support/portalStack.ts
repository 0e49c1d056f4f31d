// `gexbert start` for the portal tests (API, worker and portal on free ports, over a prepared database), a
// signed-in browser context, and a clean stop.
import type { ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, newContext } from './browser.ts';
import { startCli } from './cli.ts';

export interface PortalStack {
  process: ChildProcess;
  portalUrl: string;
  /** The GraphQL endpoint. */
  apiUrl: string;
}

/** Starts the stack on `dbUrl` with extra GEXBERT_* settings; resolves when the portal and API are up. */
export async function startPortalStack(dbUrl: string, env: NodeJS.ProcessEnv = {}): Promise<PortalStack> {
  const child = startCli(['start', '--no-demo'], {
    DATABASE_URL: dbUrl,
    GEXBERT_API_PORT: '0',
    GEXBERT_PORTAL_PORT: '0',
    GEXBERT_PRECOMPUTE_CHECK_SECONDS: '0',
    GEXBERT_RETRAIN_THRESHOLD: '0',
    ...env,
  });
  let output = '';
  const [portalUrl, apiUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const read = (d: Buffer) => {
      output += d;
      const portal = /^Portal\s+(http\S+)/m.exec(output);
      const api = /^GraphQL API\s+(http\S+)/m.exec(output);
      if (portal && api) resolve([portal[1]!, api[1]!]);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`gexbert start exited (${code}):\n${output}`)));
  });
  return { process: child, portalUrl, apiUrl };
}

/** A browser context (downloads accepted) signed in to the portal with `token`. */
export async function signedInContext(
  browser: Browser,
  portalUrl: string,
  token: string,
): Promise<BrowserContext> {
  const context = await newContext(browser, { acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${portalUrl}/signin?next=%2Fcohorts`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/cohorts$/);
  await page.close();
  return context;
}

/** Stops the stack as Ctrl-C does and waits for it to exit. */
export async function stopPortalStack(stack: PortalStack | undefined): Promise<void> {
  if (!stack || stack.process.exitCode !== null) return;
  const exited = new Promise((resolve) => stack.process.once('exit', resolve));
  stack.process.kill('SIGINT');
  await exited;
}

/** A portal stack with a browser and a context signed in as a token's owner. */
export interface SignedInPortal {
  stack: PortalStack;
  browser: Browser;
  context: BrowserContext;
}

/** Starts the stack on `dbUrl`, then a browser signed in with `token`. */
export async function openSignedInPortal(
  dbUrl: string,
  token: string,
  env: NodeJS.ProcessEnv = {},
): Promise<SignedInPortal> {
  const stack = await startPortalStack(dbUrl, env);
  const browser = await launchBrowser();
  return { stack, browser, context: await signedInContext(browser, stack.portalUrl, token) };
}

/** Closes what openSignedInPortal opened (whatever of it was opened). */
export async function closeSignedInPortal(portal: Partial<SignedInPortal> | undefined): Promise<void> {
  await portal?.context?.close();
  await portal?.browser?.close();
  await stopPortalStack(portal?.stack);
}
