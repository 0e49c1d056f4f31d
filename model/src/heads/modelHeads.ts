/**
 * A model's heads as one versioned object that travels with the model: stored as `heads.json` in its
 * checkpoint folder and in `ModelVersion.heads`. It holds the labelled reference the heads were fitted on
 * (real samples only unless a run asked otherwise), the whole-profile head set, the head sets of the panels
 * its checkpoint's normalisation names (panels.ts), and the restoration intervals. Its `id` (a content hash
 * of all of it, stored panel sets included: they answer predictions) names the head version behind every
 * prediction.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { embed, type Predictor } from '../gexbert/inference/infer.ts';
import type { NormStats } from '../gexbert/inference/normalise.ts';
import { createRandom, sampleWithoutReplacement } from '../random/random.ts';
import type { Matrix } from '../stats/matrix.ts';
import { fitHeadSet, type HeadSet, parseHeadSet } from './headSet.ts';
import {
  CALIBRATION_RATES,
  COVERAGE_RATES,
  collectResiduals,
  coverageOf,
  fitRestorationIntervals,
  parseRestorationIntervals,
  type Residual,
  type RestorationIntervals,
} from './intervals.ts';
import { fitUnitPanelHeadSets, type PanelHeadSet, parsePanelHeadSets } from './panels.ts';
import {
  type HeadReference,
  loadReference,
  referenceProfiles,
  referenceSummary,
  type StoredReference,
  storeReference,
} from './reference.ts';

export const HEADS_FILE = 'heads.json';
export const HEADS_FORMAT = 'gexbert-heads';

export interface ModelHeads {
  format: typeof HEADS_FORMAT;
  formatVersion: 1;
  /** Content hash (12 hex digits): the head version named by every prediction. */
  id: string;
  fittedAt: string;
  /** Where the reference came from (files or database samples). */
  source: string;
  /** True only when simulated samples were asked for explicitly; such heads are for demos. */
  simulated: boolean;
  reference: HeadReference;
  /** Heads fitted on the reference's whole-profile embeddings. */
  full: HeadSet;
  /**
   * Head sets of the panels the checkpoint's normalisation names (panels.ts unitPanels), each fitted on the
   * reference seen through its genes; absent in heads fitted before they were stored (or without such panels).
   */
  panels?: PanelHeadSet[];
  /** Intervals on restored values (absent until calibrated). */
  intervals?: RestorationIntervals;
  summary: ReturnType<typeof referenceSummary>;
  /** Held-out figures measured when the heads were fitted (cross-validated on the reference). */
  metrics: Record<string, number>;
}

function contentId(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

/** Heads with their content id. */
function identified(body: Omit<ModelHeads, 'id'>): ModelHeads {
  return { ...body, id: contentId(toStored({ ...body, id: '' })) };
}

/** Fewest reference samples intervals are calibrated on (below it restored values carry none). */
export const MIN_CALIBRATION_SAMPLES = 10;

/**
 * Most reference samples intervals are calibrated on: a larger reference is subsampled (seeded), since the
 * calibration restores every vocabulary gene of every sample at six missing rates and keeps each residual
 * (about 4,300 per sample at 1,000 genes): 500 samples give about 2 million residuals, while all 8,800 of a
 * TCGA-sized database's training samples would take hours and gigabytes in a retraining's gate.
 */
export const MAX_CALIBRATION_SAMPLES = 500;

/** The reference rows intervals are calibrated on: all n, or a seeded sorted subset of MAX_CALIBRATION_SAMPLES. */
export function calibrationRows(n: number): number[] {
  if (n <= MAX_CALIBRATION_SAMPLES) return [...Array(n).keys()];
  return sampleWithoutReplacement(n, MAX_CALIBRATION_SAMPLES, createRandom(n)).sort((a, b) => a - b);
}

/**
 * 90% intervals on restored values calibrated on every reference sample (at most MAX_CALIBRATION_SAMPLES,
 * calibrationRows); their held-out coverage (written to `metrics` as intervals.coverage<rate>) is measured
 * by calibrating on one half of those samples and scoring the other, both ways. The intervals are fitted on
 * the two halves' residuals together: every sample restored once at each rate (the halves draw their masks
 * from different seeds, so no two samples share one), not restored a second time.
 */
async function calibrateIntervals(
  predictor: Predictor,
  stats: NormStats,
  reference: HeadReference,
  metrics: Record<string, number>,
): Promise<RestorationIntervals> {
  const V = reference.genes;
  const n = reference.samples.length;
  const z: Matrix = { rows: n, cols: V, data: Float64Array.from(reference.z) }; // (n x V), NaN = unmeasured
  const all = calibrationRows(n);
  const halves = [all.filter((_, k) => k % 2 === 0), all.filter((_, k) => k % 2 === 1)];
  const calibration = [
    await collectResiduals(predictor, stats, z, halves[0]!, CALIBRATION_RATES, 1),
    await collectResiduals(predictor, stats, z, halves[1]!, CALIBRATION_RATES, 3),
  ];
  const fit = (residuals: Residual[]) => fitRestorationIntervals(residuals, 0.9, { genes: V });
  const heads = calibration.map(fit);
  for (const rate of COVERAGE_RATES) {
    let covered = 0;
    let total = 0;
    for (const [a, b] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const c = coverageOf(heads[a]!, await collectResiduals(predictor, stats, z, halves[b]!, [rate], 2));
      covered += c.covered;
      total += c.values;
    }
    metrics[`intervals.coverage${Math.round(rate * 100)}`] = covered / total;
  }
  return fit(calibration[0]!.concat(calibration[1]!));
}

/**
 * Fits the whole-profile heads and the head sets of the checkpoint's panels (panels.ts) on a reference and
 * wraps them with their provenance; unless `intervals` is 'none', 90% intervals on restored values are
 * calibrated on the reference too (their held-out coverage goes into the metrics).
 */
export async function fitModelHeads(
  predictor: Predictor,
  stats: NormStats,
  reference: HeadReference,
  options: {
    source: string;
    simulated?: boolean;
    intervals?: 'calibrate' | 'none';
    metrics?: Record<string, number>;
    log?: (line: string) => void;
    /** The reference's whole-profile embeddings (missing: 'omit'), when the caller has them already. */
    embeddings?: Float32Array[];
  },
): Promise<ModelHeads> {
  const metrics = { ...(options.metrics ?? {}) };
  const intervals =
    options.intervals === 'none' || reference.samples.length < MIN_CALIBRATION_SAMPLES
      ? undefined
      : await calibrateIntervals(predictor, stats, reference, metrics);
  if (reference.genes !== stats.genes.length)
    throw new RangeError(`the reference has ${reference.genes} genes, the model ${stats.genes.length}`);
  const panels = await fitUnitPanelHeadSets(predictor, stats, reference, options.log);
  const embeddings =
    options.embeddings ??
    (await embed(predictor, stats, referenceProfiles(reference, stats), { missing: 'omit' })).embeddings;
  const full = fitHeadSet(
    embeddings,
    reference,
    stats.genes.map((_, v) => v),
  );
  const body = {
    format: HEADS_FORMAT as typeof HEADS_FORMAT,
    formatVersion: 1 as const,
    fittedAt: new Date().toISOString(),
    source: options.source,
    simulated: options.simulated ?? false,
    reference,
    full,
    ...(panels.length > 0 ? { panels } : {}),
    ...(intervals ? { intervals } : {}),
    summary: referenceSummary(reference),
    metrics,
  };
  return identified(body);
}

/**
 * The same heads with the head sets of the checkpoint's panels fitted again (panels.ts unitPanels) and
 * nothing else refitted: a new head version (its id covers the panels); the same heads when the checkpoint
 * names no panel and they store none.
 */
export async function withPanelHeadSets(
  predictor: Predictor,
  stats: NormStats,
  heads: ModelHeads,
  log?: (line: string) => void,
): Promise<ModelHeads> {
  const { id: _id, panels: old, ...body } = heads;
  const panels = await fitUnitPanelHeadSets(predictor, stats, heads.reference, log);
  if (panels.length === 0 && !old?.length) return heads;
  return identified({ ...body, ...(panels.length > 0 ? { panels } : {}) });
}

/** The same heads without stored panel head sets (the heads a version stored before panels were stored). */
export function withoutPanels(heads: ModelHeads): ModelHeads {
  if (!heads.panels) return heads;
  const { id: _id, panels: _dropped, ...body } = heads;
  return identified(body);
}

/**
 * The same heads without restoration intervals and their coverage figures: a new head version (for heads
 * whose intervals were found invalid; restored values then carry none until the heads are refitted).
 */
export function withoutIntervals(heads: ModelHeads): ModelHeads {
  const { intervals: _dropped, id: _id, ...body } = heads;
  const metrics = Object.fromEntries(
    Object.entries(heads.metrics).filter(([k]) => !k.startsWith('intervals.')),
  );
  return identified({ ...body, metrics });
}

/** The same heads with restoration intervals calibrated again on their reference: a new head version. */
export async function withRecalibratedIntervals(
  predictor: Predictor,
  stats: NormStats,
  heads: ModelHeads,
): Promise<ModelHeads> {
  const { id: _id, ...body } = withoutIntervals(heads);
  const metrics = { ...body.metrics };
  const intervals = await calibrateIntervals(predictor, stats, heads.reference, metrics);
  return identified({ ...body, intervals, metrics });
}

type StoredHeads = Omit<ModelHeads, 'reference'> & { reference: StoredReference };

/** The JSON form (reference z as base64). */
export function toStored(heads: ModelHeads): StoredHeads {
  return { ...heads, reference: storeReference(heads.reference) };
}

/** Validates stored heads (a heads.json or a database column) and returns them typed. */
export function parseModelHeads(json: unknown): ModelHeads {
  const f = json as Partial<StoredHeads> | null;
  if (!f || typeof f !== 'object' || f.format !== HEADS_FORMAT)
    throw new RangeError(
      `not a ${HEADS_FORMAT} object (heads fitted before heads travelled with the model): refit them with \`gexbert heads fit\``,
    );
  if (typeof f.id !== 'string' || !f.reference || !f.full)
    throw new RangeError('heads: id, reference and full are required');
  const reference = loadReference(f.reference);
  return {
    ...(f as StoredHeads),
    reference,
    full: parseHeadSet(f.full, 'full'),
    ...(f.panels === undefined ? {} : { panels: parsePanelHeadSets(f.panels, reference.genes) }),
    ...(f.intervals ? { intervals: parseRestorationIntervals(f.intervals) } : {}),
  };
}

export function writeModelHeads(dir: string, heads: ModelHeads): void {
  writeFileSync(path.join(dir, HEADS_FILE), `${JSON.stringify(toStored(heads))}\n`);
}

/** The heads of a checkpoint folder, or null when it has none. */
export function readModelHeads(dir: string): ModelHeads | null {
  let text: string;
  try {
    text = readFileSync(path.join(dir, HEADS_FILE), 'utf8');
  } catch {
    return null;
  }
  return parseModelHeads(JSON.parse(text));
}
