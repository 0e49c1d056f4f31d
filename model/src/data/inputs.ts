/**
 * The evaluation's inputs, read into the shapes the tasks use: a data set of one of two kinds —
 * count files (genes x samples TSV, optionally gzipped) labelled by cancer type from their file names, or a
 * sample table pair (`<name>_expression.tsv[.gz]`: samples x genes normalised values; `<name>_samples.tsv`:
 * each sample's cancer type and patient) — and an overall-survival table.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExpressionMatrix } from '../gexbert/inference/normalise.ts';
import type { EventIndicator } from '../survival/index.ts';
import { type CountMatrix, combineCounts, parseCountTsv, parseSampleRowsTsv } from './dataset.ts';

/**
 * What a data set's values are, as the model's units (gexbert/inference/normalise.ts): raw read counts, or RSEM
 * normalised values, which the model's one log transform (`toLog2Cpm`) takes to log2(max(x, 0) + 1) without
 * rescaling and a model with RSEM statistics z-scores with those.
 */
export type DatasetUnit = 'counts' | 'rsem';

/**
 * A genes x samples table and each sample's label (its cancer type) and patient (the key of the survival
 * table). `counts` holds raw counts or normalised values, as `unit` says.
 */
export interface LabelledCounts {
  counts: CountMatrix;
  labels: string[];
  patients: string[];
  unit: DatasetUnit;
}

/** Where a data set is: count files, or a `<name>_expression` + `<name>_samples` pair. */
export type DatasetSource =
  | { kind: 'count tables'; files: string[] }
  | { kind: 'sample table'; name: string; expression: string; samples: string };

/** One patient's overall survival. */
export interface SurvivalRecord {
  time: number;
  event: EventIndicator;
}

function readText(file: string): string {
  const raw = readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
}

/**
 * What `target` holds: a folder with exactly one `<name>_expression.tsv[.gz]` whose `<name>_samples.tsv[.gz]`
 * is beside it is a sample table; any other folder (or a single file) is count tables.
 */
export function detectDataset(target: string): DatasetSource {
  if (!statSync(target).isDirectory()) return { kind: 'count tables', files: [target] };
  const entries = readdirSync(target).sort();
  const pairs = entries.flatMap((f) => {
    const name = /^(.+)_expression\.tsv(\.gz)?$/i.exec(f)?.[1];
    const samples =
      name && [`${name}_samples.tsv`, `${name}_samples.tsv.gz`].find((c) => entries.includes(c));
    return name && samples
      ? [{ name, expression: path.join(target, f), samples: path.join(target, samples) }]
      : [];
  });
  if (pairs.length > 1)
    throw new Error(
      `${target}: ${pairs.length} expression/sample table pairs (${pairs.map((p) => p.name).join(', ')}); give a folder with one`,
    );
  if (pairs.length === 1) return { kind: 'sample table', ...pairs[0]! };
  const files = entries.filter((f) => /\.(exp|tsv|txt)(\.gz)?$/i.test(f)).map((f) => path.join(target, f));
  return { kind: 'count tables', files };
}

/** One line saying what a data set source is, for logs and the report. */
export function describeDataset(source: DatasetSource): string {
  if (source.kind === 'count tables')
    return `count tables (genes x samples raw read counts, cancer type from the file names): ${source.files.map((f) => path.basename(f)).join(', ')}`;
  return `a sample table "${source.name}" (${path.basename(source.expression)}: samples x genes normalised values; ${path.basename(source.samples)}: cancer type and patient per sample)`;
}

/** Reads a data set of either kind (detectDataset). */
export function loadDataset(target: string, source = detectDataset(target)): LabelledCounts {
  return source.kind === 'count tables'
    ? loadCountFiles(target, source.files)
    : loadSampleTable(source.expression, source.samples);
}

/** Reads every count file of a directory (or one file); a file's label is its TCGA type or its name. */
export function loadCountsDir(target: string): LabelledCounts {
  const source = detectDataset(target);
  if (source.kind !== 'count tables')
    throw new Error(`${target} holds ${describeDataset(source)}, not count tables`);
  return loadCountFiles(target, source.files);
}

function loadCountFiles(target: string, files: string[]): LabelledCounts {
  if (files.length === 0) throw new Error(`no count files in ${target}`);
  const tables = files.map((file) => {
    const base = path.basename(file);
    const label = /TCGA_([A-Za-z0-9]+)_/.exec(base)?.[1] ?? base.replace(/\..*$/, '');
    try {
      return { table: parseCountTsv(readText(file)), label };
    } catch (error) {
      throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const { counts, labels } = combineCounts(tables);
  // TCGA barcodes: the patient is the first 12 characters.
  return { counts, labels, patients: counts.sampleIds.map((s) => s.slice(0, 12)), unit: 'counts' };
}

/**
 * A sample table pair: `expressionFile` samples x genes (header: a sample-id label, then gene ids) and
 * `samplesFile` with columns `sample`, `cancer_type` and `patient` (others ignored). Every expression sample
 * must be in the sample table.
 */
export function loadSampleTable(expressionFile: string, samplesFile: string): LabelledCounts {
  let counts: CountMatrix;
  try {
    counts = parseSampleRowsTsv(readText(expressionFile));
  } catch (error) {
    throw new Error(`${expressionFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const lines = readText(samplesFile).split('\n');
  const header = lines[0]!.replace(/\r$/, '').split('\t');
  const col = (name: string) => header.indexOf(name);
  if (col('sample') < 0 || col('cancer_type') < 0 || col('patient') < 0)
    throw new Error(`${samplesFile}: expected columns sample, cancer_type and patient`);
  const bySample = new Map<string, { label: string; patient: string }>();
  for (const line of lines.slice(1)) {
    const cells = line.replace(/\r$/, '').split('\t');
    const sample = cells[col('sample')];
    if (sample)
      bySample.set(sample, { label: cells[col('cancer_type')] ?? '', patient: cells[col('patient')] ?? '' });
  }
  const rows = counts.sampleIds.map((s) => bySample.get(s));
  const missing = counts.sampleIds.filter((_, i) => !rows[i]?.label);
  if (missing.length > 0)
    throw new Error(
      `${samplesFile}: no cancer type for ${missing.length} sample(s) of ${path.basename(expressionFile)} (first ${missing[0]}); give a line per sample`,
    );
  // Normalised values (e.g. PanCanAtlas RSEM, batch-corrected: a few slightly below 0). Unit 'rsem': the
  // model's one log transform (toLog2Cpm) makes them log2(max(x, 0) + 1), with no library-size scaling
  // (they are already normalised). The clamp is chosen over log2(x + 1): a value below 0 is batch-correction
  // noise around "not expressed", and log2(x + 1) would put it below every unexpressed sample (log2(0.507)
  // = -0.98 for the lowest, -0.493), an artificial low outlier after per-gene standardisation.
  return {
    counts,
    labels: rows.map((r) => r!.label),
    patients: rows.map((r) => r!.patient),
    unit: 'rsem',
  };
}

/** The table with another gene list (genes it lacks are `fill`: 0 counts, or NaN for missing values). */
export function alignGenes(table: CountMatrix, genes: string[], fill = 0): CountMatrix {
  const n = table.sampleIds.length;
  const index = new Map(table.geneIds.map((g, i) => [g, i] as const));
  const counts = new Float64Array(genes.length * n).fill(fill);
  genes.forEach((g, r) => {
    const i = index.get(g);
    if (i !== undefined) counts.set(table.counts.subarray(i * n, (i + 1) * n), r * n);
  });
  return { geneIds: genes, sampleIds: table.sampleIds, counts };
}

/** Training and test tables as one: training samples first, test samples (on the training genes) after. */
export function joinTrainTest(train: LabelledCounts, test: LabelledCounts): LabelledCounts {
  if (train.unit !== test.unit)
    throw new Error(
      `training data are ${train.unit === 'counts' ? 'raw counts' : 'normalised values'} but test data ${test.unit === 'counts' ? 'raw counts' : 'normalised values'}; give both in the same form`,
    );
  const aligned = alignGenes(test.counts, train.counts.geneIds, train.unit === 'counts' ? 0 : Number.NaN);
  const joined = combineCounts([
    { table: train.counts, label: '_train' },
    { table: aligned, label: '_test' },
  ]);
  return {
    counts: joined.counts,
    labels: [...train.labels, ...test.labels],
    patients: [...train.patients, ...test.patients],
    unit: train.unit,
  };
}

/** Samples x genes values (GexBERT's input; raw counts unless `unit` says otherwise) of some samples of a genes x samples table. */
export function toExpression(
  table: CountMatrix,
  samples: number[],
  unit: DatasetUnit = 'counts',
): ExpressionMatrix {
  const G = table.geneIds.length;
  const n = table.sampleIds.length;
  const values = new Float32Array(samples.length * G);
  samples.forEach((s, r) => {
    for (let g = 0; g < G; g++) values[r * G + g] = table.counts[g * n + s]!;
  });
  return { genes: table.geneIds, nSamples: samples.length, values, unit };
}

/** Overall survival by 12-character patient barcode, from a (patient, OS_time_days, OS_event) table. */
export function readSurvival(file: string): Map<string, SurvivalRecord> {
  const lines = readText(file).split('\n');
  const header = lines[0]!.replace(/\r$/, '').split('\t');
  const iPatient = header.indexOf('patient');
  const iTime = header.indexOf('OS_time_days');
  const iEvent = header.indexOf('OS_event');
  if (iPatient < 0 || iTime < 0 || iEvent < 0)
    throw new Error(`${file}: expected columns patient, OS_time_days, OS_event`);
  const os = new Map<string, SurvivalRecord>();
  for (const line of lines.slice(1)) {
    const cells = line.replace(/\r$/, '').split('\t');
    const time = Number(cells[iTime]);
    const event = Number(cells[iEvent]);
    if (cells[iPatient] && cells[iTime] !== 'NA' && Number.isFinite(time) && (event === 0 || event === 1))
      os.set(cells[iPatient]!, { time, event });
  }
  return os;
}
