/**
 * Fitting a checkpoint's heads from labelled count files (what `gexbert heads fit` runs): the reference is
 * every sample of the files with its cancer type and overall survival; held-out figures (cross-validated
 * calibration, leave-one-type-out novelty, for whole profiles and random 64-gene panels) are measured on
 * the way; restoration intervals are calibrated on samples the model was not trained on. Also the head sets
 * of the checkpoint's panels alone, for heads fitted before they were stored (`gexbert heads panels`).
 */

import type { LabelledCounts, SurvivalRecord } from '../data/inputs.ts';
import { toExpression } from '../data/inputs.ts';
import { ready } from '../engine/tf.ts';
import { loadCheckpoint } from '../gexbert/inference/checkpoint.ts';
import { embed, type Predictor } from '../gexbert/inference/infer.ts';
import { matrixToZ, type NormStats } from '../gexbert/inference/normalise.ts';
import { createOnnxPredictor } from '../gexbert/inference/predictor.ts';
import { createRandom, sampleWithoutReplacement } from '../random/random.ts';
import { calibrationFigures, leaveOneTypeOut } from './heldOut.ts';
import { fitModelHeads, type ModelHeads, readModelHeads, withPanelHeadSets } from './modelHeads.ts';
import { embedThrough } from './panels.ts';
import { type HeadReference, referenceProfiles } from './reference.ts';

export interface FitCheckpointOptions {
  checkpoint: string;
  /** Labelled data sets (raw counts, or RSEM values with the model's RSEM statistics), joined into one reference. */
  data: readonly LabelledCounts[];
  /**
   * Named gene panels (vocabulary genes) whose held-out figures are measured beside the random ones, e.g. the
   * genes an RSEM table measures: its samples are answered by heads seen through those genes.
   */
  panels?: Readonly<Record<string, readonly string[]>>;
  /** Overall survival by 12-character patient barcode (null: no risk head). */
  survival: Map<string, SurvivalRecord> | null;
  /** Describes the data, e.g. the folder it was read from. */
  source: string;
  simulated?: boolean;
  /** Random panels of 64 genes whose held-out figures are measured (default 3). */
  panelDraws?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** Builds the labelled reference of the data over a model's vocabulary. */
export function countsReference(
  data: LabelledCounts,
  stats: Parameters<typeof matrixToZ>[0],
  survival: Map<string, SurvivalRecord> | null,
): HeadReference {
  const n = data.counts.sampleIds.length;
  const z = matrixToZ(stats, toExpression(data.counts, [...Array(n).keys()], data.unit)); // (n x V)
  const os = data.counts.sampleIds.map((s) => survival?.get(s.slice(0, 12)) ?? null);
  return {
    samples: data.counts.sampleIds,
    cancerTypes: [...data.labels],
    osDays: os.map((o) => o?.time ?? null),
    osEvent: os.map((o) => o?.event ?? null),
    genes: stats.genes.length,
    z,
  };
}

/** References over the same vocabulary, one after the other. */
export function joinReferences(references: readonly HeadReference[]): HeadReference {
  const genes = references[0]?.genes ?? 0;
  if (references.some((r) => r.genes !== genes)) throw new Error('joinReferences: different vocabularies');
  const z = new Float32Array(references.reduce((a, r) => a + r.z.length, 0)); // (sum n x V)
  let at = 0;
  for (const r of references) {
    z.set(r.z, at);
    at += r.z.length;
  }
  return {
    samples: references.flatMap((r) => r.samples),
    cancerTypes: references.flatMap((r) => r.cancerTypes),
    osDays: references.flatMap((r) => r.osDays),
    osEvent: references.flatMap((r) => r.osEvent),
    genes,
    z,
  };
}

function addFigures(metrics: Record<string, number>, prefix: string, figures: Record<string, number>): void {
  for (const [k, v] of Object.entries(figures)) metrics[`${prefix}.${k}`] = v;
}

/** Runs `work` with a checkpoint's normalisation and its model on onnxruntime (released after). */
async function withCheckpointModel<T>(
  dir: string,
  work: (predictor: Predictor, stats: NormStats) => Promise<T>,
): Promise<T> {
  await ready();
  const checkpoint = loadCheckpoint(dir);
  checkpoint.model.dispose();
  const predictor = await createOnnxPredictor(checkpoint.config, checkpoint.weights);
  try {
    return await work(predictor, checkpoint.stats);
  } finally {
    await predictor.release();
  }
}

/**
 * A checkpoint's heads (its heads.json) with the head sets of its panels fitted again and nothing else
 * refitted (modelHeads.ts withPanelHeadSets).
 */
export function fitCheckpointPanels(dir: string, log?: (line: string) => void): Promise<ModelHeads> {
  const heads = readModelHeads(dir);
  if (!heads)
    throw new Error(`${dir} has no heads.json: fit its heads with \`gexbert heads fit\` (panels included)`);
  return withCheckpointModel(dir, (predictor, stats) => withPanelHeadSets(predictor, stats, heads, log));
}

/** Fits the heads of a checkpoint on labelled count files and measures their held-out figures. */
export function fitCheckpointHeads(options: FitCheckpointOptions): Promise<ModelHeads> {
  const log = options.log ?? (() => {});
  return withCheckpointModel(options.checkpoint, async (predictor, stats) => {
    const reference = joinReferences(options.data.map((d) => countsReference(d, stats, options.survival)));
    const labels = options.data.flatMap((d) => d.labels);
    const metrics: Record<string, number> = {};
    log(`embedding ${reference.samples.length} reference samples`);
    const whole = await embed(predictor, stats, referenceProfiles(reference, stats), { missing: 'omit' });
    addFigures(metrics, 'whole', calibrationFigures(whole.embeddings, labels));
    const V = stats.genes.length;
    if (new Set(labels).size >= 3)
      addFigures(
        metrics,
        'whole.novelty',
        leaveOneTypeOut(
          reference,
          stats.genes.map((_, v) => v),
        ),
      );
    const panelFigures = async (name: string, genes: number[]) => {
      log(`held-out figures of ${name}`);
      const embeddings = await embedThrough(predictor, stats, reference, genes);
      return {
        calibration: calibrationFigures(embeddings, labels),
        novelty: new Set(labels).size >= 3 ? leaveOneTypeOut(reference, genes) : null,
      };
    };
    const random = createRandom(options.seed ?? 1);
    for (let d = 0; d < (options.panelDraws ?? 3); d++) {
      const genes = sampleWithoutReplacement(V, 64, random).sort((a, b) => a - b);
      const figures = await panelFigures(`random 64-gene panel ${d + 1}`, genes);
      addFigures(metrics, `panel64.${d + 1}`, figures.calibration);
      if (figures.novelty) addFigures(metrics, `panel64.${d + 1}.novelty`, figures.novelty);
    }
    const index = new Map(stats.genes.map((g, v) => [g, v]));
    for (const [name, panel] of Object.entries(options.panels ?? {})) {
      const genes = panel.flatMap((g) => (index.has(g) ? [index.get(g)!] : [])).sort((a, b) => a - b);
      const figures = await panelFigures(`the ${name} panel (${genes.length} genes)`, genes);
      addFigures(metrics, `panel.${name}`, { genes: genes.length, ...figures.calibration });
      if (figures.novelty) addFigures(metrics, `panel.${name}.novelty`, figures.novelty);
    }
    log('fitting the whole-profile heads and calibrating intervals on restored values');
    return await fitModelHeads(predictor, stats, reference, {
      source: options.source,
      simulated: options.simulated ?? false,
      metrics,
      log,
      embeddings: whole.embeddings, // the heads are fitted on the embeddings the figures were measured on
    });
  });
}
