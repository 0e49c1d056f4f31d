/**
 * A checkpoint is a folder:
 *   config.json          the validated GexbertConfig
 *   vocabulary.txt       one gene per line, in model order (row i of the gene embedding)
 *   normalisation.json   per-gene mean and sd of log2(CPM + 1), levels, zRange; for a model also trained
 *                        on RSEM data, `rsem`: per-gene mean and sd of log2(RSEM + 1) (null: not measured)
 *   weights.bin          all weights, float32 little-endian, concatenated in parameterSpecs order
 *   weights.json         manifest: name, shape, offset and length of each tensor, sha256 of weights.bin
 *   training-log.jsonl   the training log (when given)
 *   metrics.json         training metrics and anything else the caller adds (when given)
 *   MODEL_CARD.md        a human-readable summary
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type GexbertConfig, parameterCount, validateConfig } from '../architecture/config.ts';
import { GexbertModel, parameterSpecs, type WeightEntry } from '../architecture/model.ts';
import type { GeneMoments, NormStats } from './normalise.ts';

export const WEIGHTS_FORMAT = 'gexbert-weights';
export const WEIGHTS_VERSION = 1;

export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  version: number;
  dtype: 'float32';
  byteOrder: 'little';
  totalBytes: number;
  sha256: string;
  tensors: { name: string; shape: number[]; offset: number; length: number }[];
}

export interface CheckpointContents {
  config: GexbertConfig;
  stats: NormStats;
  weights: WeightEntry[];
  /** JSONL text of the training log. */
  trainingLog?: string;
  metrics?: Record<string, unknown>;
  /** Extra paragraphs for the model card (data description, intended use...). */
  notes?: string;
}

/** Weights as one little-endian float32 buffer plus its manifest. */
export function packWeights(weights: WeightEntry[]): { bin: Buffer; manifest: WeightsManifest } {
  const total = weights.reduce((a, w) => a + w.data.length, 0);
  const bin = Buffer.alloc(total * 4);
  const tensors: WeightsManifest['tensors'] = [];
  let offset = 0;
  for (const w of weights) {
    for (let i = 0; i < w.data.length; i++) bin.writeFloatLE(w.data[i]!, offset + i * 4);
    tensors.push({ name: w.name, shape: [...w.shape], offset, length: w.data.length });
    offset += w.data.length * 4;
  }
  const sha256 = createHash('sha256').update(bin).digest('hex');
  return {
    bin,
    manifest: {
      format: WEIGHTS_FORMAT,
      version: WEIGHTS_VERSION,
      dtype: 'float32',
      byteOrder: 'little',
      totalBytes: bin.length,
      sha256,
      tensors,
    },
  };
}

/** Inverse of packWeights; checks the format, sizes and checksum. */
export function unpackWeights(bin: Buffer, manifest: WeightsManifest): WeightEntry[] {
  if (manifest.format !== WEIGHTS_FORMAT || manifest.version !== WEIGHTS_VERSION) {
    throw new Error(`weights: unsupported format ${manifest.format} v${manifest.version}`);
  }
  if (bin.length !== manifest.totalBytes)
    throw new Error(`weights: ${bin.length} bytes, manifest says ${manifest.totalBytes}`);
  const sha = createHash('sha256').update(bin).digest('hex');
  if (sha !== manifest.sha256)
    throw new Error('weights: checksum mismatch (weights.bin is corrupt or was replaced)');
  return manifest.tensors.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.length || t.offset + t.length * 4 > bin.length)
      throw new Error(`weights: bad entry for ${t.name}`);
    const data = new Float32Array(t.length);
    for (let i = 0; i < t.length; i++) data[i] = bin.readFloatLE(t.offset + i * 4);
    return { name: t.name, shape: [...t.shape], data };
  });
}

/** Write a checkpoint folder (created if needed; existing files of the same names are replaced). */
export function saveCheckpoint(dir: string, c: CheckpointContents): void {
  const config = validateConfig(c.config);
  checkStats(config, c.stats);
  mkdirSync(dir, { recursive: true });
  const { bin, manifest } = packWeights(orderWeights(config, c.weights));
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(path.join(dir, 'vocabulary.txt'), `${c.stats.genes.join('\n')}\n`);
  writeFileSync(
    path.join(dir, 'normalisation.json'),
    `${JSON.stringify({
      transform: 'log2(CPM + 1), then per-gene z-score',
      levels: c.stats.levels,
      zRange: c.stats.zRange,
      mean: [...c.stats.mean],
      sd: [...c.stats.sd],
      ...(c.stats.rsem ? { rsem: storedMoments(c.stats.rsem) } : {}),
    })}\n`,
  );
  writeFileSync(path.join(dir, 'weights.bin'), bin);
  writeFileSync(path.join(dir, 'weights.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (c.trainingLog !== undefined) writeFileSync(path.join(dir, 'training-log.jsonl'), c.trainingLog);
  if (c.metrics !== undefined)
    writeFileSync(path.join(dir, 'metrics.json'), `${JSON.stringify(c.metrics, null, 2)}\n`);
  writeFileSync(path.join(dir, 'MODEL_CARD.md'), modelCard(config, c));
}

/** Save a model (its current weights) with its normalisation. */
export function saveModel(
  dir: string,
  model: GexbertModel,
  stats: NormStats,
  extra: Omit<CheckpointContents, 'config' | 'stats' | 'weights'> = {},
): void {
  saveCheckpoint(dir, { config: model.config, stats, weights: model.getWeights(), ...extra });
}

export interface LoadedCheckpoint extends CheckpointContents {
  model: GexbertModel;
}

/** Read a checkpoint folder back and build the model (tf.Variables; call `await ready()` from engine/tf.ts first). */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const contents = readCheckpoint(dir);
  return { ...contents, model: GexbertModel.fromWeights(contents.config, contents.weights) };
}

/** A checkpoint folder's vocabulary (vocabulary.txt: one gene per line, in model order). */
export function readVocabulary(dir: string): string[] {
  return readFileSync(path.join(dir, 'vocabulary.txt'), 'utf8')
    .split('\n')
    .map((g) => g.trim())
    .filter((g) => g.length > 0);
}

/** Read a checkpoint folder back without building a model (no TensorFlow.js: what serving needs). */
export function readCheckpoint(dir: string): CheckpointContents {
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const config = validateConfig(JSON.parse(read('config.json')));
  const genes = readVocabulary(dir);
  const norm = JSON.parse(read('normalisation.json')) as {
    levels: number;
    zRange: number;
    mean: number[];
    sd: number[];
    rsem?: StoredMoments;
  };
  const stats: NormStats = {
    genes,
    mean: Float32Array.from(norm.mean),
    sd: Float32Array.from(norm.sd),
    levels: norm.levels,
    zRange: norm.zRange,
    ...(norm.rsem ? { rsem: loadedMoments(norm.rsem) } : {}),
  };
  checkStats(config, stats);
  const manifest = JSON.parse(read('weights.json')) as WeightsManifest;
  const weights = unpackWeights(readFileSync(path.join(dir, 'weights.bin')), manifest);
  const out: CheckpointContents = { config, stats, weights };
  if (existsSync(path.join(dir, 'training-log.jsonl'))) out.trainingLog = read('training-log.jsonl');
  if (existsSync(path.join(dir, 'metrics.json'))) out.metrics = JSON.parse(read('metrics.json'));
  return out;
}

function orderWeights(config: GexbertConfig, weights: WeightEntry[]): WeightEntry[] {
  const byName = new Map(weights.map((w) => [w.name, w]));
  return parameterSpecs(config).map((s) => {
    const w = byName.get(s.name);
    if (!w) throw new Error(`weights: missing ${s.name}`);
    return w;
  });
}

/** RSEM statistics as stored: a gene the RSEM data did not measure has mean null (JSON has no NaN). */
interface StoredMoments {
  transform: string;
  mean: (number | null)[];
  sd: number[];
}

function storedMoments(m: GeneMoments): StoredMoments {
  return {
    transform: 'log2(max(RSEM, 0) + 1), then per-gene z-score',
    mean: Array.from(m.mean, (x) => (Number.isFinite(x) ? x : null)),
    sd: [...m.sd],
  };
}

function loadedMoments(m: StoredMoments): GeneMoments {
  return { mean: Float32Array.from(m.mean, (x) => x ?? Number.NaN), sd: Float32Array.from(m.sd) };
}

function checkStats(config: GexbertConfig, stats: NormStats): void {
  const V = config.vocabSize;
  if (stats.genes.length !== V || stats.mean.length !== V || stats.sd.length !== V) {
    throw new Error(`normalisation has ${stats.genes.length} genes; config.vocabSize is ${V}`);
  }
  if (stats.rsem && (stats.rsem.mean.length !== V || stats.rsem.sd.length !== V))
    throw new Error(`RSEM normalisation has ${stats.rsem.mean.length} genes; config.vocabSize is ${V}`);
  if (stats.levels !== config.levels || stats.zRange !== config.zRange) {
    throw new Error(
      `normalisation bins (${stats.levels} levels, zRange ${stats.zRange}) differ from the config (${config.levels}, ${config.zRange})`,
    );
  }
}

function modelCard(config: GexbertConfig, c: CheckpointContents): string {
  const m = c.metrics ?? {};
  const num = (k: string) => (typeof m[k] === 'number' ? (m[k] as number) : undefined);
  const fmt = (x: number | undefined, d = 4) => (x === undefined ? 'n/a' : Number(x.toFixed(d)).toString());
  const lines = [
    '# GexBERT model card',
    '',
    'A transformer autoencoder for bulk RNA-seq (after Jiang & Hassanpour, Sci Rep 2025, arXiv 2504.09704),',
    'trained by masking gene values and restoring them. Written by the GexBERT Platform model library.',
    '',
    '## Model',
    `- Vocabulary: ${config.vocabSize} genes (vocabulary.txt); values binned into ${config.levels} levels over z in [-${config.zRange}, ${config.zRange}], plus a missing level.`,
    `- Width ${config.width}, ${config.heads} heads, ${config.encoderLayers} encoder / ${config.decoderLayers} decoder layers, FFN ${config.ffnWidth}, ${config.activation}.`,
    `- Parameters: ${parameterCount(config).toLocaleString('en-US')}.`,
    '- Outputs: a mean-pooled sample embedding; restored z-scores for masked inputs and for any vocabulary gene (decoder queries).',
    '',
    '## Input normalisation',
    '- counts -> CPM (library size = sum of the whole profile) -> log2(CPM + 1) -> per-gene z-score with the',
    '  training means and sds in normalisation.json. A gene given with a missing value (NaN) is input with',
    '  the missing level (as masked values in training); a gene absent from the profile is not input.',
    ...(c.stats.rsem
      ? [
          '- RSEM normalised values -> log2(max(RSEM, 0) + 1) -> per-gene z-score with the RSEM means and sds',
          `  (normalisation.json "rsem", fitted on the RSEM training samples: ${c.stats.rsem.mean.filter(Number.isFinite).length} genes). A vocabulary`,
          '  gene without RSEM statistics is not read from an RSEM profile.',
        ]
      : []),
    '',
    '## Training',
    `- Task: per sample per step, ${inputCount(config)} input genes, ${maskedShare(config)} of them masked, plus ${config.queryGenes} query genes; MSE on masked and query values (z units).`,
    `- AdamW lr ${config.lr} (warm-up ${config.warmupSteps} steps, cosine to ${config.minLrRatio} x), weight decay ${config.weightDecay}, batch ${config.batchSize}, dropout ${config.dropout}, clip ${config.clipNorm}, seed ${config.seed}.`,
    `- Engine: ${String(m.engine ?? 'n/a')}; steps: ${String(m.steps ?? 'n/a')}; epochs: ${String(m.epochs ?? 'n/a')}; training samples: ${String(m.trainSamples ?? 'n/a')}; validation samples: ${String(m.validationSamples ?? 'n/a')}.`,
    ...(m.engineWarning === undefined ? [] : [`- Engine fallback: ${String(m.engineWarning)}.`]),
    '',
    '## Metrics',
    `- Final training loss: ${fmt(num('finalTrainLoss'))}.`,
    `- Best validation restoration loss (MSE, z units): ${fmt(num('bestValLoss'))} at epoch ${String(m.bestEpoch ?? 'n/a')}; per-gene-mean baseline: ${fmt(num('valMeanBaselineLoss'))}.`,
    '',
    '## Limitations',
    '- Reflects only its training corpus (see Notes); restored values are estimates, not measurements.',
    '- Genes outside the vocabulary are ignored. Very different library preparations may need re-fitting the normalisation.',
    '- Not a medical device; for research use.',
  ];
  if (c.notes) lines.push('', '## Notes', c.notes.trim());
  return `${lines.join('\n')}\n`;
}

/** "128", or "8-66 (drawn per sample per step)" when the input count varies. */
function inputCount(c: GexbertConfig): string {
  const min = c.inputGenesMin ?? c.inputGenes;
  return min < c.inputGenes ? `${min}-${c.inputGenes} (drawn per sample per step)` : `${c.inputGenes}`;
}

/** "30%", or "15-90% (drawn per sample per step)" when the masked fraction varies. */
function maskedShare(c: GexbertConfig): string {
  const lo = Math.round(c.maskFraction * 100);
  const max = c.maskFractionMax ?? c.maskFraction;
  return max > c.maskFraction ? `${lo}-${Math.round(max * 100)}% (drawn per sample per step)` : `${lo}%`;
}
