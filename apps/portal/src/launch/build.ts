// The portal's production build (.next): current when newer than every source file; `next build` runs
// under a lock file so that two processes never build into the same folder at once.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PORTAL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next');
const BUILD_ID = path.join(PORTAL_DIR, '.next', 'BUILD_ID');
const LOCK = path.join(PORTAL_DIR, '.next-build.lock');
// The portal's own files and the library maths it bundles (@gexbert/model/maths and what that imports).
const SOURCES = [
  'src',
  'next.config.ts',
  'package.json',
  'tsconfig.json',
  '../../model/src/maths.ts',
  '../../model/src/stats',
  '../../model/src/survival',
];

/** Environment of every `next` child process: no telemetry (no network). */
export function nextEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when a build exists and no source file changed after it. */
export function buildIsCurrent(): boolean {
  if (!fs.existsSync(BUILD_ID)) return false;
  const built = fs.statSync(BUILD_ID).mtimeMs;
  return SOURCES.every((source) => newestMtime(path.join(PORTAL_DIR, source)) <= built);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the build lock, waiting while a live process holds it; returns its release. */
async function takeLock(isStopped: () => boolean): Promise<() => void> {
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(LOCK, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(LOCK, 'utf8'));
    if (!holder || !isAlive(holder)) fs.rmSync(LOCK, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 500));
    if (isStopped()) throw new Error('stopped while waiting for another portal build');
  }
}

/** A running `next build`: its promise, and a way to stop it (its whole process group). */
export interface BuildRun {
  done: Promise<void>;
  stop(): void;
}

function runNextBuild(onLine: (line: string) => void): { child: ChildProcess; done: Promise<void> } {
  const child = spawn(process.execPath, [NEXT_BIN, 'build'], {
    cwd: PORTAL_DIR,
    env: nextEnv({ NODE_ENV: 'production' }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk).slice(-4000);
    for (const line of String(chunk).split('\n')) if (line.trim()) onLine(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`next build failed (${signal ?? `exit ${code}`}):\n${tail.trim()}`)),
    );
  });
  return { child, done };
}

/** Builds the portal unless the build is current (checked again once the lock is held). */
export function ensureBuild(onLine: (line: string) => void = () => {}): BuildRun {
  let stopped = false;
  let child: ChildProcess | undefined;
  const done = (async () => {
    if (buildIsCurrent()) return;
    const release = await takeLock(() => stopped);
    try {
      if (buildIsCurrent() || stopped) return;
      const run = runNextBuild(onLine);
      child = run.child;
      await run.done;
    } finally {
      release();
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      if (child?.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}
