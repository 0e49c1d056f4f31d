// BENCHMARKS.md from a `npm run bench:scale` run: the machine, commit and date, then every figure with its
// target, the large run beside the small one.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { REPO_ROOT } from '../../../services/core/src/config.ts';
import type { RolePeak } from './peakMemory.ts';
import type {
  GeneReadTimes,
  LoadFigures,
  LoadTimes,
  PrecomputeFigures,
  TrainingFigures,
} from './scaleSteps.ts';

export interface Figures {
  samples: number;
  genes: number;
  types: number;
  simulateSeconds: number;
  ingestSeconds: number;
  expressionBytesPerValue: number;
  databaseMb: number;
  precompute: PrecomputeFigures;
  dashboard: { whole: LoadTimes; subset: LoadTimes | null } | Failed;
  gene: GeneReadTimes | Failed;
  load: LoadFigures | Failed;
  training: TrainingFigures | Failed;
  memory: RolePeak[];
}

/** A measurement that failed, with the first line of its error. */
export interface Failed {
  failed: string;
}

/** The row's text of a measurement, or its failure. */
function or<T extends object>(
  x: T | Failed,
  value: (x: T) => { text: string; met?: boolean },
): { text: string; met?: boolean } {
  return 'failed' in x ? { text: `failed: ${x.failed}`, met: false } : value(x);
}

export interface Benchmark {
  started: Date;
  loadBefore: number;
  loadAfter: number;
  runs: Figures[];
  command: string[];
}

interface Row {
  figure: string;
  target: string;
  /** The figure of one run, and whether it meets the target (undefined: no target). */
  value: (f: Figures) => { text: string; met?: boolean };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? ' ✓' : ' ✗ (missed)');

const ROWS: Row[] = [
  {
    figure: 'ingest (`gexbert ingest counts`, end to end)',
    target: '',
    value: (f) => ({
      text: `${f.ingestSeconds.toFixed(1)} s, ${((f.samples * f.genes) / f.ingestSeconds / 1e6).toFixed(2)} M values/s`,
    }),
  },
  {
    figure: 'expression store; whole database',
    target: '',
    value: (f) => ({ text: `${f.expressionBytesPerValue.toFixed(1)} bytes/value; ${int(f.databaseMb)} MB` }),
  },
  {
    figure: 'precompute: every sample embedded and predicted, then every cohort map placed',
    target: '≤ 300 s',
    value: (f) => ({
      text: `${(f.precompute.seconds + f.precompute.mapSeconds).toFixed(1)} s (samples ${f.precompute.seconds.toFixed(1)} s, ${((1000 * f.precompute.seconds) / f.precompute.samples).toFixed(1)} ms/sample, ${f.precompute.workers} workers, ${f.precompute.batches} batches; ${f.precompute.maps} cohort maps ${f.precompute.mapSeconds.toFixed(1)} s)`,
      met: f.precompute.seconds + f.precompute.mapSeconds <= 300,
    }),
  },
  {
    figure: 'dashboard, whole cohort: first load, until drawn (network idle)',
    target: '≤ 5 s',
    value: (f) =>
      or(f.dashboard, (d) => ({
        text: `${s(d.whole.firstMs)} (${s(d.whole.firstIdleMs)})`,
        met: d.whole.firstMs <= 5000,
      })),
  },
  {
    figure: 'dashboard, whole cohort: warm load (median of 3), until drawn (network idle)',
    target: '≤ 2 s',
    value: (f) =>
      or(f.dashboard, (d) => ({
        text: `${s(d.whole.warmMs)} (${s(d.whole.warmIdleMs)})`,
        met: d.whole.warmMs <= 2000,
      })),
  },
  {
    figure: 'dashboard, 300-sample cohort: first / warm, until drawn (network idle)',
    target: '',
    value: (f) =>
      or(f.dashboard, (d) => ({
        text: d.subset
          ? `${s(d.subset.firstMs)} / ${s(d.subset.warmMs)} (${s(d.subset.firstIdleMs)} / ${s(d.subset.warmIdleMs)})`
          : '(the whole cohort)',
      })),
  },
  {
    figure: 'one gene across all samples (`Cohort.geneValues`), p50 / max of 10 genes',
    target: '≤ 200 ms',
    value: (f) =>
      or(f.gene, (g) => ({
        text: `${g.p50Ms.toFixed(0)} / ${g.maxMs.toFixed(0)} ms (${int(g.values)} values)`,
        met: g.maxMs <= 200,
      })),
  },
  {
    figure: 'single-sample prediction query at 20 clients: p50 / p99',
    target: 'p99 ≤ 100 ms',
    value: (f) =>
      or(f.load, (l) => ({
        text:
          `${l.p50Ms.toFixed(1)} / ${l.p99Ms.toFixed(1)} ms (${int(l.requests / l.seconds)} requests/s, ${l.errors} errors` +
          (l.warmup
            ? `; after a ${l.warmup.seconds} s warm-up at the same load, whose p99 was ${l.warmup.p99Ms.toFixed(1)} ms)`
            : ')'),
        met: l.p99Ms <= 100 && l.errors === 0,
      })),
  },
  {
    figure: 'retraining over all samples: steps/s (first step after)',
    target: '',
    value: (f) =>
      or(f.training, (t) => ({
        text: `${t.stepsPerSecond.toFixed(2)} steps/s (${t.toFirstStepSeconds.toFixed(0)} s)`,
      })),
  },
];

function memoryRows(runs: Figures[]): string[] {
  const roles = [...new Set(runs.flatMap((r) => r.memory.map((m) => m.role)))];
  return roles.map((role) => {
    const cells = runs.map((r) => {
      const m = r.memory.find((x) => x.role === role);
      return m ? `${int(m.peakMb)} MB${mark(r === runs[0] ? m.peakMb <= 2048 : undefined)}` : '–';
    });
    return `| peak resident memory: ${role} | ≤ 2,048 MB | ${cells.join(' | ')} |`;
  });
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export function benchmarksMarkdown(b: Benchmark): string {
  const cpus = os.cpus();
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
  const header = `| figure | target (${int(b.runs[0]!.samples)} samples) | ${b.runs.map((r) => `${int(r.samples)} samples`).join(' | ')} |`;
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench:scale` (test/bench/scale.bench.ts); rerun it to refresh this file. A simulated',
    `TCGA-sized platform (\`gexbert simulate\`: ${b.runs.map((r) => `${int(r.samples)} x ${int(r.genes)} genes x ${r.types} types`).join('; ')},`,
    'with survival) is ingested by the CLI into a fresh PostgreSQL; `gexbert start` (API, worker, portal) and a',
    'second `gexbert worker` precompute every sample; then each figure below is measured against the running',
    'platform, as an operator runs it. Figures, not pass/fail: the machine is shared, so compare ratios.',
    'A dashboard load is timed from the request until every panel has drawn, the embedding map included',
    "(its target), and until the network is idle (in brackets: Playwright's networkidle, no request for",
    '500 ms, so at least half a second after the last answer; benchmarks before 2026-12-07 gave only this).',
    '',
    `- Machine: ${cpus.length} x ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`,
    `- Load average (1 min) at the start and the end: ${b.loadBefore.toFixed(1)}, ${b.loadAfter.toFixed(1)}`,
    `- Commit: ${git(['rev-parse', '--short', 'HEAD'])}${dirty}`,
    `- Date: ${b.started.toISOString()}`,
    `- Command: \`npm run bench:scale${b.command.length ? ` -- ${b.command.join(' ')}` : ''}\``,
    '',
    header,
    `|---|---|${b.runs.map(() => '---').join('|')}|`,
    ...ROWS.map((row) => {
      const cells = b.runs.map((r, i) => {
        const v = row.value(r);
        return `${v.text}${i === 0 && row.target ? mark(v.met) : ''}`;
      });
      return `| ${row.figure} | ${row.target} | ${cells.join(' | ')} |`;
    }),
    ...memoryRows(b.runs),
    '',
  ].join('\n');
}
