// The portal's server process: serve.mjs (`next start` that exits when its parent goes away) on the built
// portal, told the API's URL (and a reader token only when anonymous read access is on).
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ensureBuild, nextEnv, PORTAL_DIR } from './build.ts';
import type { PortalLaunchConfig } from './config.ts';

export interface PortalServerOptions {
  apiUrl: string;
  /**
   * A reader token for visitors who have not signed in (anonymous read access); without it every visitor
   * signs in with their own token. Never sent to browsers.
   */
  anonymousToken?: string;
  config: PortalLaunchConfig;
  /** Build output and the server's log lines. */
  log?: (line: string) => void;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Builds when needed, then runs the server; stop() ends the build or the server. */
export class PortalServer {
  private child: ChildProcess | undefined;
  private build: { stop(): void } | undefined;
  private stopped = false;

  constructor(private readonly options: PortalServerOptions) {}

  /** Resolves with the portal's URL once it answers HTTP. */
  async start(): Promise<string> {
    const log = this.options.log ?? (() => {});
    const build = ensureBuild((line) => log(`build: ${line}`));
    this.build = build;
    await build.done;
    if (this.stopped) throw new Error('the portal was stopped before it started');
    const { host, startTimeoutSeconds } = this.options.config;
    const port = this.options.config.port || (await freePort(host));
    // stdin stays open while this process lives: the server exits when it closes.
    const child = spawn(process.execPath, [path.join(PORTAL_DIR, 'serve.mjs'), String(port), host], {
      cwd: PORTAL_DIR,
      env: this.childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk).slice(-4000);
      for (const line of String(chunk).split('\n')) if (line.trim()) log(line);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const deadline = Date.now() + startTimeoutSeconds * 1000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || this.stopped)
        throw new Error(`the portal server exited: ${output.trim().slice(-1000)}`);
      const answered = await fetch(`${url}/cohorts`, { method: 'HEAD' }).then(
        (r) => r.status < 500,
        () => false,
      );
      if (answered) return url;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the portal did not answer at ${url} within ${startTimeoutSeconds} s: ${output.trim()}`);
  }

  /** The server's environment: the API URL, the anonymous reader token only when given. */
  private childEnv(): NodeJS.ProcessEnv {
    const env = nextEnv({ NODE_ENV: 'production', GEXBERT_PORTAL_API_URL: this.options.apiUrl });
    delete env.GEXBERT_PORTAL_ANONYMOUS_TOKEN;
    if (this.options.anonymousToken) env.GEXBERT_PORTAL_ANONYMOUS_TOKEN = this.options.anonymousToken;
    return env;
  }

  /** Stops the build or the server; resolves once the server has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.build?.stop();
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
