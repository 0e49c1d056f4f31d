/**
 * Fitting a checkpoint's heads from labelled count files (what `gexbert heads fit` runs): the reference is
 * every sample of the files with its cancer type and overall survival; held-out figures (cross-validated
 * calibration, leave-one-type-out novelty, for whole profiles and random 64-gene panels) are measured on
 * the way; restoration intervals are calibrated on samples the model was not trained on.
 */
import { ready } from '../engine/tf.ts';
import type { LabelledCounts, SurvivalRecord } from '../evaluate/inputs.ts';
import { toExpression } from '../evaluate/inputs.ts';
import type { Matrix } from '../evaluate/matrix.ts';
import { createRandom, sampleWithoutReplacement } from '../evaluate/random.ts';
import { loadCheckpoint } from '../gexbert/checkpoint.ts';
import { embed } from '../gexbert/infer.ts';
import { matrixToZ } from '../gexbert/normalise.ts';
import { createOnnxPredictor, type OnnxPredictor } from '../gexbert/onnx/predictor.ts';
import { calibrationFigures, leaveOneTypeOut } from './heldOut.ts';
import {
  collectResiduals,
  fitRestorationIntervals,
  type RestorationIntervals,
  restorationInterval,
} from './intervals.ts';
import { fitModelHeads, type ModelHeads, referenceProfiles } from './modelHeads.ts';
import type { HeadReference } from './reference.ts';

export interface FitCheckpointOptions {
  checkpoint: string;
  data: LabelledCounts;
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
  const z = matrixToZ(stats, toExpression(data.counts, [...Array(n).keys()])); // (n x V)
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

function addFigures(metrics: Record<string, number>, prefix: string, figures: Record<string, number>): void {
  for (const [k, v] of Object.entries(figures)) metrics[`${prefix}.${k}`] = v;
}

/** Missing rates of the calibration masks (model/EXPERIMENTS.md section 11). */
const CALIBRATION_RATES = [0.3, 0.5, 0.7, 0.9, 0.95, 0.99];
/** Missing rates whose held-out coverage is reported. */
const REPORTED_RATES = [0.3, 0.7, 0.9];

/**
 * 90% intervals on restored values calibrated on every reference sample; their held-out coverage (written
 * to `metrics` as intervals.coverage<rate>) is measured by calibrating on one half of the samples and
 * scoring the other, both ways.
 */
async function calibrateIntervals(
  predictor: OnnxPredictor,
  stats: Parameters<typeof matrixToZ>[0],
  reference: HeadReference,
  metrics: Record<string, number>,
): Promise<RestorationIntervals> {
  const V = reference.genes;
  const n = reference.samples.length;
  const z: Matrix = { rows: n, cols: V, data: Float64Array.from(reference.z) }; // (n x V), NaN = unmeasured
  const all = [...Array(n).keys()];
  const halves = [all.filter((i) => i % 2 === 0), all.filter((i) => i % 2 === 1)];
  const fit = async (rows: number[]) =>
    fitRestorationIntervals(await collectResiduals(predictor, stats, z, rows, CALIBRATION_RATES, 1), 0.9, {
      genes: V,
    });
  const heads = [await fit(halves[0]!), await fit(halves[1]!)];
  for (const rate of REPORTED_RATES) {
    let covered = 0;
    let total = 0;
    for (const [a, b] of [
      [0, 1],
      [1, 0],
    ] as const) {
      for (const r of await collectResiduals(predictor, stats, z, halves[b]!, [rate], 2)) {
        const { lower, upper } = restorationInterval(heads[a]!, r.gene, 0, r.measuredInputs);
        total++;
        if (r.residual >= lower && r.residual <= upper) covered++;
      }
    }
    metrics[`intervals.coverage${Math.round(rate * 100)}`] = covered / total;
  }
  return fitRestorationIntervals(
    await collectResiduals(predictor, stats, z, all, CALIBRATION_RATES, 1),
    0.9,
    {
      genes: V,
    },
  );
}

/** Fits the heads of a checkpoint on labelled count files and measures their held-out figures. */
export async function fitCheckpointHeads(options: FitCheckpointOptions): Promise<ModelHeads> {
  const log = options.log ?? (() => {});
  await ready();
  const checkpoint = loadCheckpoint(options.checkpoint);
  checkpoint.model.dispose();
  const { stats } = checkpoint;
  const predictor = await createOnnxPredictor(checkpoint.config, checkpoint.weights);
  try {
    const reference = countsReference(options.data, stats, options.survival);
    const labels = options.data.labels;
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
    const random = createRandom(options.seed ?? 1);
    for (let d = 0; d < (options.panelDraws ?? 3); d++) {
      const genes = sampleWithoutReplacement(V, 64, random).sort((a, b) => a - b);
      const keep = new Uint8Array(V);
      for (const g of genes) keep[g] = 1;
      log(`held-out figures of random 64-gene panel ${d + 1}`);
      const panel = await embed(
        predictor,
        stats,
        referenceProfiles(reference, stats, (g) => keep[g] === 1),
        {
          missing: 'omit',
        },
      );
      addFigures(metrics, `panel64.${d + 1}`, calibrationFigures(panel.embeddings, labels));
      if (new Set(labels).size >= 3)
        addFigures(metrics, `panel64.${d + 1}.novelty`, leaveOneTypeOut(reference, genes));
    }
    log('calibrating intervals on restored values');
    const intervals = await calibrateIntervals(predictor, stats, reference, metrics);
    log('fitting the whole-profile heads');
    return await fitModelHeads(predictor, stats, reference, {
      source: options.source,
      simulated: options.simulated ?? false,
      metrics,
      intervals,
    });
  } finally {
    await predictor.release();
  }
}
