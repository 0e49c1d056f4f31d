// The portal's sign-in and roles, attacked over HTTP: `gexbert start` on a database with one real TCGA cohort,
// twice (default: anonymous access off; and GEXBERT_PORTAL_ANONYMOUS=read with sessions that end after 6 s
// unused). Server actions are replayed the way an attacker would: the request a signed-in user's browser
// sent (its `Next-Action` header and body), recorded with headless Chromium, posted again with another
// cookie (none, a reader's, a forged one, a signed-out one, an expired one). Rows are counted in the
// database before and after each replay.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createToken, revokeToken } from '@gexbert/core/auth/tokens';
import { createPrisma } from '@gexbert/core/db/prisma';
import { ingestCounts } from '@gexbert/core/ingest/index';
import { createTestDatabase, query } from '@gexbert/core/test-support/database';
import { sharedDir } from '@gexbert/core/test-support/shared';
import pg from 'pg';
import type { Browser, BrowserContext, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newContext } from '../support/browser.ts';
import { startCli } from '../support/cli.ts';
import { signedInContext } from '../support/portalStack.ts';

const COOKIE = 'gexbert_session';
const IDLE_SECONDS = 6;
const SIGNIN_FAILURES = 3;

interface Stack {
  child: ChildProcess;
  portalUrl: string;
}

let dbUrl: string;
let cohortId: number;
let browser: Browser;
let strict: Stack;
let open: Stack;
const tokens = { reader: '', curator: '', admin: '' };
/** The create-cohort action as a curator's browser posted it (recorded by the first describe). */
let createAction: RecordedAction;

/** `gexbert start` on the test database; resolves once the portal answers. */
function startStack(env: Record<string, string>): Promise<Stack> {
  const child = startCli(['start', '--no-demo', '--no-worker'], {
    DATABASE_URL: dbUrl,
    GEXBERT_API_PORT: '0',
    GEXBERT_PORTAL_PORT: '0',
    ...env,
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const match = /^Portal\s+(http\S+)/m.exec(stdout);
      if (match) resolve({ child, portalUrl: match[1]! });
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (/error: the portal/.test(stderr)) reject(new Error(stderr));
    });
    child.on('exit', (code) => reject(new Error(`gexbert start exited (${code}):\n${stdout}\n${stderr}`)));
  });
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack || stack.child.exitCode !== null) return;
  const exited = new Promise((resolve) => stack.child.once('exit', resolve));
  stack.child.kill('SIGINT');
  await exited;
}

async function count(table: 'Cohort' | 'TrainingRun'): Promise<number> {
  const [row] = await query<{ n: string }>(dbUrl, `SELECT count(*) AS n FROM "${table}"`);
  return Number(row!.n);
}

/** A browser context signed in at `portalUrl` with `token` (through the sign-in page). */
function signedIn(portalUrl: string, token: string): Promise<BrowserContext> {
  return signedInContext(browser, portalUrl, token);
}

async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === COOKIE);
  expect(cookie, 'the session cookie').toBeDefined();
  return cookie!.value;
}

/** A server action's request as the browser sent it (`name`: the cohort name typed, renamed on replays). */
interface RecordedAction {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  name?: string;
}

/** Runs `act` on a page of `context` and returns the server action request it sent. */
async function recordAction(
  context: BrowserContext,
  url: string,
  act: (page: import('playwright-core').Page) => Promise<void>,
  name?: string,
): Promise<RecordedAction> {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'networkidle' });
  let recorded: Request | undefined;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.headers()['next-action']) recorded ??= r;
  });
  await act(page);
  await expect.poll(() => recorded !== undefined).toBe(true);
  const headers = await recorded!.allHeaders();
  const action = {
    path: new URL(recorded!.url()).pathname,
    headers: {
      'next-action': headers['next-action']!,
      'content-type': headers['content-type']!,
      accept: 'text/x-component',
    },
    body: recorded!.postDataBuffer() ?? Buffer.alloc(0),
    name,
  };
  await page.close();
  return action;
}

/**
 * Posts a recorded server action again, with `cookie` (a session id) or none, from `origin`; a cohort name
 * in it becomes a new one (names are unique, so a replay that gets through creates a cohort).
 */
async function replay(
  portalUrl: string,
  action: RecordedAction,
  cookie: string | null,
  origin = portalUrl,
): Promise<Response> {
  return fetch(`${portalUrl}${action.path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...action.headers, origin, ...(cookie ? { cookie: `${COOKIE}=${cookie}` } : {}) },
    body: new Uint8Array(
      action.name
        ? Buffer.from(
            action.body
              .toString('utf8')
              .replaceAll(action.name, `${action.name} ${randomBytes(4).toString('hex')}`),
          )
        : action.body,
    ),
  });
}

/** `action` with the value of its form field `field` (e.g. the run id a Cancel button sends) replaced. */
function withField(action: RecordedAction, field: string, value: string): RecordedAction {
  const pattern = new RegExp(`(name="(?:_?\\d+_)?${field}"\\r\\n\\r\\n)[^\\r]*`);
  const text = action.body.toString('utf8');
  expect(text, `the recorded action sends ${field}`).toMatch(pattern);
  return { ...action, body: Buffer.from(text.replace(pattern, `$1${value}`)) };
}

async function queuedRun(): Promise<number | undefined> {
  const rows = await query<{ id: number }>(dbUrl, `SELECT id FROM "TrainingRun" WHERE status = 'QUEUED'`);
  return rows[0]?.id;
}

async function runStatus(id: number): Promise<string> {
  return (await query<{ status: string }>(dbUrl, `SELECT status FROM "TrainingRun" WHERE id = $1`, [id]))[0]!
    .status;
}

function get(url: string, cookie: string | null = null): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: cookie ? { cookie: `${COOKIE}=${cookie}` } : {} });
}

beforeAll(async () => {
  dbUrl = await createTestDatabase('portal_security');
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  const prisma = createPrisma(pool); // shares the pool, which is ended below
  try {
    await ingestCounts(pool, path.join(sharedDir(), 'data/tcga/counts/TCGA_CHOL_Counts.exp.gz'), {
      cohort: 'TCGA CHOL',
    });
    tokens.reader = (await createToken(prisma, 'security reader', 'READER')).token;
    tokens.curator = (await createToken(prisma, 'security curator', 'CURATOR')).token;
    tokens.admin = (await createToken(prisma, 'security admin', 'ADMIN')).token;
  } finally {
    await pool.end();
  }
  cohortId = (await query<{ id: number }>(dbUrl, `SELECT id FROM "Cohort" WHERE name = 'TCGA CHOL'`))[0]!.id;
  [strict, open] = await Promise.all([
    startStack({ GEXBERT_PORTAL_ANONYMOUS: 'off' }),
    startStack({
      GEXBERT_PORTAL_ANONYMOUS: 'read',
      GEXBERT_PORTAL_SESSION_IDLE_MINUTES: String(IDLE_SECONDS / 60),
      GEXBERT_PORTAL_SIGNIN_FAILURES: String(SIGNIN_FAILURES),
    }),
  ]);
  browser = await launchBrowser();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([stopStack(strict), stopStack(open)]);
});

describe('the portal with anonymous access off (the default)', () => {
  let retrainAction: RecordedAction;
  let readerCookie: string;

  it('sends an anonymous visitor to the sign-in page and refuses anonymous downloads (401)', async () => {
    for (const page of ['/cohorts', `/cohorts/${cohortId}`, '/models', '/imports', '/samples/1']) {
      const response = await get(`${strict.portalUrl}${page}`);
      expect(response.status, page).toBe(307);
      expect(response.headers.get('location'), page).toBe(`/signin?next=${encodeURIComponent(page)}`);
    }
    const signin = await get(`${strict.portalUrl}/signin`);
    expect(signin.status).toBe(200);
    expect(await signin.text()).toContain('API token');
    const tsv = await get(`${strict.portalUrl}/cohorts/${cohortId}/samples.tsv`);
    expect(tsv.status).toBe(401);
    expect(await tsv.text()).not.toContain('TCGA-');
  });

  it('signs a curator in with an httpOnly, SameSite=Strict session cookie; the curator creates a cohort', async () => {
    const context = await signedIn(strict.portalUrl, tokens.curator);
    const cookie = (await context.cookies()).find((c) => c.name === COOKIE)!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(cookie.value).not.toContain(tokens.curator.slice(4, 20));
    const before = await count('Cohort');
    createAction = await recordAction(
      context,
      `${strict.portalUrl}/cohorts`,
      async (page) => {
        await page.getByLabel('Name', { exact: true }).fill('Created by the curator');
        await page.getByRole('button', { name: 'Create cohort' }).click();
        await page.waitForURL(/\/cohorts\/\d+$/);
      },
      'Created by the curator',
    );
    expect(await count('Cohort')).toBe(before + 1);
    // The replay with the curator's own session creates one more (so the refusals below are the portal's).
    await replay(strict.portalUrl, createAction, cookie.value);
    expect(await count('Cohort')).toBe(before + 2);
    // The session's own download works.
    const tsv = await get(`${strict.portalUrl}/cohorts/${cohortId}/samples.tsv`, cookie.value);
    expect(tsv.status).toBe(200);
    expect(await tsv.text()).toContain('TCGA-');
    await context.close();
  });

  it('refuses a signed-in user whose token the API does not accept', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${strict.portalUrl}/signin`);
    await page.getByLabel('API token').fill(`gxb_${randomBytes(32).toString('base64url')}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signin-error').waitFor();
    expect((await context.cookies()).some((c) => c.name === COOKIE)).toBe(false);
    await context.close();
  });

  it('an anonymous POST of the create-cohort action creates nothing (401)', async () => {
    const before = await count('Cohort');
    const response = await replay(strict.portalUrl, createAction, null);
    expect(response.status).toBe(401);
    expect(await count('Cohort')).toBe(before);
  });

  it('an admin queues a retraining run; an anonymous replay of it queues nothing (401)', async () => {
    const context = await signedIn(strict.portalUrl, tokens.admin);
    const before = await count('TrainingRun');
    retrainAction = await recordAction(context, `${strict.portalUrl}/models`, async (page) => {
      await page.getByRole('button', { name: 'Retrain' }).click();
      await page.getByTestId('retrain-queued').waitFor();
    });
    expect(await count('TrainingRun')).toBe(before + 1);
    // One run may wait at a time: empty the queue, so that a replay that gets through would queue one.
    const dequeue = () => query(dbUrl, `DELETE FROM "TrainingRun" WHERE status = 'QUEUED'`);
    await dequeue();
    await replay(strict.portalUrl, retrainAction, await sessionCookie(context));
    expect(await count('TrainingRun')).toBe(before + 1);
    await dequeue();
    const response = await replay(strict.portalUrl, retrainAction, null);
    expect(response.status).toBe(401);
    expect(await count('TrainingRun')).toBe(before);
    await context.close();
  });

  it('shows a reader no write controls and refuses their create-cohort and retrain actions (403)', async () => {
    const context = await signedIn(strict.portalUrl, tokens.reader);
    readerCookie = await sessionCookie(context);
    const page = await context.newPage();
    await page.goto(`${strict.portalUrl}/cohorts`, { waitUntil: 'networkidle' });
    expect(await page.getByTestId('session-user').getAttribute('data-role')).toBe('READER');
    expect(await page.getByRole('button', { name: 'Create cohort' }).count()).toBe(0);
    await page.goto(`${strict.portalUrl}/models`, { waitUntil: 'networkidle' });
    expect(await page.getByRole('button', { name: 'Retrain' }).count()).toBe(0);
    await context.close();
    const cohorts = await count('Cohort');
    const runs = await count('TrainingRun');
    expect((await replay(strict.portalUrl, createAction, readerCookie)).status).toBe(403);
    expect((await replay(strict.portalUrl, retrainAction, readerCookie)).status).toBe(403);
    expect(await count('Cohort')).toBe(cohorts);
    expect(await count('TrainingRun')).toBe(runs);
  });

  it('refuses a forged session cookie', async () => {
    const forged = randomBytes(32).toString('base64url');
    const page = await get(`${strict.portalUrl}/cohorts`, forged);
    expect(page.status).toBe(307);
    expect(page.headers.get('location')).toMatch(/^\/signin/);
    expect((await get(`${strict.portalUrl}/cohorts/${cohortId}/samples.tsv`, forged)).status).toBe(401);
    const before = await count('Cohort');
    expect((await replay(strict.portalUrl, createAction, forged)).status).toBe(401);
    expect(await count('Cohort')).toBe(before);
  });

  it("refuses a curator's action posted from another origin (CSRF)", async () => {
    const context = await signedIn(strict.portalUrl, tokens.curator);
    const cookie = await sessionCookie(context);
    await context.close();
    const before = await count('Cohort');
    const response = await replay(strict.portalUrl, createAction, cookie, 'http://evil.example');
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await count('Cohort')).toBe(before);
  });

  it('signing out ends the session: its cookie no longer opens pages or runs actions', async () => {
    const context = await signedIn(strict.portalUrl, tokens.curator);
    const cookie = await sessionCookie(context);
    expect((await get(`${strict.portalUrl}/cohorts`, cookie)).status).toBe(200);
    const page = await context.newPage();
    await page.goto(`${strict.portalUrl}/cohorts`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
    expect((await context.cookies()).some((c) => c.name === COOKIE)).toBe(false);
    await context.close();
    expect((await get(`${strict.portalUrl}/cohorts`, cookie)).status).toBe(307);
    const before = await count('Cohort');
    expect((await replay(strict.portalUrl, createAction, cookie)).status).toBe(401);
    expect(await count('Cohort')).toBe(before);
  });

  it("only an admin's session cancels a training run: anonymous (401), reader and curator (403) replays do nothing", async () => {
    const admin = await signedIn(strict.portalUrl, tokens.admin);
    const adminCookie = await sessionCookie(admin);
    await replay(strict.portalUrl, retrainAction, adminCookie);
    const first = (await queuedRun())!;
    expect(first, 'a queued run').toBeDefined();
    const cancelFirst = await recordAction(admin, `${strict.portalUrl}/models`, async (page) => {
      await page.getByTestId(`cancel-run-${first}`).getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => runStatus(first), { timeout: 30_000 }).toBe('CANCELLED');
    });
    expect(await runStatus(first)).toBe('CANCELLED');
    await replay(strict.portalUrl, retrainAction, adminCookie);
    const second = (await queuedRun())!;
    expect(second).not.toBe(first);
    const cancel = withField(cancelFirst, 'runId', String(second));
    const curator = await sessionCookie(await signedIn(strict.portalUrl, tokens.curator));
    expect((await replay(strict.portalUrl, cancel, null)).status).toBe(401);
    expect((await replay(strict.portalUrl, cancel, readerCookie)).status).toBe(403);
    expect((await replay(strict.portalUrl, cancel, curator)).status).toBe(403);
    expect(await runStatus(second)).toBe('QUEUED');
    await replay(strict.portalUrl, cancel, adminCookie); // the admin's own session does cancel it
    expect(await runStatus(second)).toBe('CANCELLED');
    await admin.close();
  });

  it("a revoked token's session ends at its next request: pages, downloads and actions", async () => {
    const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
    const prisma = createPrisma(pool); // shares the pool, which is ended below
    const revoked = await createToken(prisma, 'security revoked curator', 'CURATOR');
    const context = await signedIn(strict.portalUrl, revoked.token);
    const cookie = await sessionCookie(context);
    await context.close();
    expect((await get(`${strict.portalUrl}/cohorts`, cookie)).status).toBe(200);
    expect(await revokeToken(prisma, revoked.row.id)).toBe(true);
    await pool.end();
    // The API remembers a token check for up to 2 s (GEXBERT_API_TOKEN_CACHE_MS).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const page = await get(`${strict.portalUrl}/cohorts`, cookie);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('Sign in first');
    // The session is gone: the cookie now opens nothing, as no cookie would.
    const again = await get(`${strict.portalUrl}/cohorts`, cookie);
    expect(again.status).toBe(307);
    expect(again.headers.get('location')).toMatch(/^\/signin/);
    expect((await get(`${strict.portalUrl}/cohorts/${cohortId}/samples.tsv`, cookie)).status).toBe(401);
    const before = await count('Cohort');
    expect((await replay(strict.portalUrl, createAction, cookie)).status).toBe(401);
    expect(await count('Cohort')).toBe(before);
  });

  it('answers HTTP 404 for missing cohorts, samples and routes', async () => {
    for (const page of [
      '/cohorts/99999',
      '/samples/99999',
      '/no/such/page',
      '/samples/not-a-number',
      '/cohorts/1e3',
      '/cohorts/-1',
    ]) {
      const response = await get(`${strict.portalUrl}${page}`, readerCookie);
      expect(response.status, page).toBe(404);
      expect(await response.text(), page).toContain('Not found');
    }
    expect((await get(`${strict.portalUrl}/cohorts/${cohortId}`, readerCookie)).status).toBe(200);
    expect((await get(`${strict.portalUrl}/cohorts/abc/samples.tsv`, readerCookie)).status).toBe(404);
  });
});

describe('the portal with GEXBERT_PORTAL_ANONYMOUS=read', () => {
  it('lets anonymous visitors read (pages and downloads) but not write', async () => {
    const page = await get(`${open.portalUrl}/cohorts`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('TCGA CHOL');
    const tsv = await get(`${open.portalUrl}/cohorts/${cohortId}/samples.tsv`);
    expect(tsv.status).toBe(200);
    expect(await tsv.text()).toContain('TCGA-');
    const context = await newContext(browser);
    const browsing = await context.newPage();
    await browsing.goto(`${open.portalUrl}/cohorts`, { waitUntil: 'networkidle' });
    expect(await browsing.getByRole('button', { name: 'Create cohort' }).count()).toBe(0);
    await context.close();
    const recorded = await signedIn(strict.portalUrl, tokens.curator);
    const name = 'Recorded for the anonymous replay';
    const action = await recordAction(
      recorded,
      `${strict.portalUrl}/cohorts`,
      async (p) => {
        await p.getByLabel('Name', { exact: true }).fill(name);
        await p.getByRole('button', { name: 'Create cohort' }).click();
        await p.waitForURL(/\/cohorts\/\d+$/);
      },
      name,
    );
    await recorded.close();
    const before = await count('Cohort');
    expect((await replay(open.portalUrl, action, null)).status).toBe(403);
    expect(await count('Cohort')).toBe(before);
  });

  it(`ends a session after ${IDLE_SECONDS} s unused`, async () => {
    const context = await signedIn(open.portalUrl, tokens.curator);
    const cookie = await sessionCookie(context);
    await context.close();
    // (Signed in: the sign-in page says who. Each request restarts the idle clock.)
    expect(await (await get(`${open.portalUrl}/signin`, cookie)).text()).toContain(
      'security curator (curator)',
    );
    await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 2) * 1000));
    const page = await (await get(`${open.portalUrl}/signin`, cookie)).text();
    expect(page).not.toContain('security curator (curator)');
    expect(page).toContain('Reading anonymously');
    // The expired session's cookie is only the anonymous reader's: it creates nothing.
    const before = await count('Cohort');
    expect((await replay(open.portalUrl, createAction, cookie)).status).toBe(403);
    expect(await count('Cohort')).toBe(before);
  });

  it(`refuses sign-ins after ${SIGNIN_FAILURES} failures, even with a good token`, async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const attempt = async (token: string) => {
      await page.goto(`${open.portalUrl}/signin`);
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      return (await page.getByTestId('signin-error').textContent()) ?? '';
    };
    for (let i = 0; i < SIGNIN_FAILURES; i++)
      expect(await attempt(`gxb_${randomBytes(32).toString('base64url')}`)).toContain('did not accept');
    expect(await attempt(tokens.admin)).toMatch(
      /Too many failed sign-ins\. Try again in \d+ min \(nothing was checked\)/,
    );
    expect((await context.cookies()).some((c) => c.name === COOKIE)).toBe(false);
    await context.close();
  });
});
