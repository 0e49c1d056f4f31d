// Peak resident memory of every process a benchmark starts: every half second the benchmark's descendants
// are read from /proc (parent pid, command line, VmHWM = the process's own peak resident set), and the
// highest VmHWM seen per process is kept. A process is named by its role (PostgreSQL, API, worker, portal,
// ...) from its command line, so the report gives one peak per role.
import fs from 'node:fs';

export interface RolePeak {
  role: string;
  /** Processes seen in this role. */
  processes: number;
  /** The highest peak resident memory of one of them, in MB. */
  peakMb: number;
}

type Classifier = (cmdline: string) => string;

/** The default roles: the platform's processes by command line. */
export const platformRole: Classifier = (cmd) => {
  if (/postgres/.test(cmd)) return 'PostgreSQL (largest process)';
  if (/chrom/i.test(cmd)) return 'Chromium (the benchmark browser)';
  if (/portal\/serve\.mjs|next-server/.test(cmd)) return 'portal (Next.js server)';
  if (/esbuild/.test(cmd)) return 'esbuild (tsx, running the TypeScript)';
  if (/next/.test(cmd)) return 'portal build (next build, first start after a change)';
  if (/gexbert\S*\s+start\b/.test(cmd)) return 'API (gexbert start)';
  if (/gexbert\S*\s+worker\b/.test(cmd)) return 'worker (gexbert worker)';
  const command = /gexbert\S*\s+(\w+(?:\s+\w+)?)/.exec(cmd);
  if (command) return `gexbert ${command[1]}`;
  return `other: ${cmd.slice(0, 60)}`;
};

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null; // the process ended between listing and reading
  }
}

/** Every live pid with its parent pid. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (!stat) continue;
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    out.set(Number(entry), ppid);
  }
  return out;
}

function descendantsOf(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function peakKb(pid: number): number | null {
  const status = readText(`/proc/${pid}/status`);
  const hwm = status && /VmHWM:\s+(\d+) kB/.exec(status);
  return hwm ? Number(hwm[1]) : null;
}

export class PeakMemory {
  private readonly seen = new Map<number, { role: string; kb: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly classify: Classifier = platformRole,
    private readonly root = process.pid,
  ) {
    this.timer = setInterval(() => this.sample(), 500);
    this.timer.unref();
  }

  /** Reads every descendant's peak now (also done every half second). */
  sample(): void {
    for (const pid of descendantsOf(this.root)) {
      const kb = peakKb(pid);
      if (kb === null) continue;
      const known = this.seen.get(pid);
      if (known) known.kb = Math.max(known.kb, kb);
      else {
        const cmd = (readText(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ').trim();
        this.seen.set(pid, { role: this.classify(cmd), kb });
      }
    }
  }

  /** Stops sampling; the peak per role, highest first (the benchmark's own process included). */
  stop(): RolePeak[] {
    this.sample();
    clearInterval(this.timer);
    const roles = new Map<string, RolePeak>();
    const own = process.resourceUsage().maxRSS;
    roles.set('benchmark (load clients)', {
      role: 'benchmark (load clients)',
      processes: 1,
      peakMb: own / 1024,
    });
    for (const { role, kb } of this.seen.values()) {
      const peak = roles.get(role) ?? { role, processes: 0, peakMb: 0 };
      peak.processes++;
      peak.peakMb = Math.max(peak.peakMb, kb / 1024);
      roles.set(role, peak);
    }
    return [...roles.values()].sort((a, b) => b.peakMb - a.peakMb);
  }
}
