// The platform as an operator runs it, for benchmarks: `gexbert start` (API, its worker and the portal) on a
// given database, and extra `gexbert worker` processes beside it. Output is kept for error reports; the
// processes are stopped with Ctrl-C (SIGINT), as a user stops them.
import type { ChildProcess } from 'node:child_process';
import { startCli } from '../../support/cli.ts';

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
  stop: () => Promise<void>;
}

export function runProcess(args: string[], env: NodeJS.ProcessEnv): RunningProcess {
  const child = startCli(args, env);
  let text = '';
  const listeners = new Set<() => void>();
  const append = (d: Buffer) => {
    text += d;
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => text,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (!match) return;
          done();
          resolve(match);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`gexbert ${args.join(' ')}: no ${pattern} after ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`gexbert ${args.join(' ')} exited before ${pattern}:\n${text}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

export interface Stack {
  apiUrl: string;
  portalUrl: string;
  processes: RunningProcess[];
  stop: () => Promise<void>;
}

/** `gexbert start --no-demo` plus `extraWorkers` `gexbert worker` processes on `databaseUrl`. */
export async function startStack(
  databaseUrl: string,
  extraWorkers: number,
  env: NodeJS.ProcessEnv = {},
): Promise<Stack> {
  const common = { DATABASE_URL: databaseUrl, ...env };
  const start = runProcess(['start', '--no-demo'], {
    ...common,
    GEXBERT_API_PORT: '0',
    GEXBERT_PORTAL_PORT: '0',
    GEXBERT_PORTAL_ANONYMOUS: 'read',
  });
  const processes = [start];
  const stop = async () => {
    for (const p of processes.slice().reverse()) await p.stop();
  };
  try {
    const apiUrl = (await start.waitFor(/GraphQL API (\S+)/, 300_000))[1]!;
    for (let i = 0; i < extraWorkers; i++) processes.push(runProcess(['worker'], common));
    // a first start after a change builds the portal (minutes)
    const portalUrl = (await start.waitFor(/^Portal\s+(http\S+)/m, 900_000))[1]!;
    return { apiUrl, portalUrl, processes, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
