/**
 * The evaluation's inputs: count files (genes x samples TSV, optionally gzipped) labelled by cancer type,
 * and an overall-survival table, read into the shapes the tasks use.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ExpressionMatrix } from '../gexbert/normalise.ts';
import type { EventIndicator } from '../survival/index.ts';
import { type CountMatrix, combineCounts, parseCountTsv } from './data.ts';

/** A genes x samples count table and each sample's label (its cancer type). */
export interface LabelledCounts {
  counts: CountMatrix;
  labels: string[];
}

/** One patient's overall survival. */
export interface SurvivalRecord {
  time: number;
  event: EventIndicator;
}

function readText(file: string): string {
  const raw = readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
}

/** Reads every count file of a directory (or one file); a file's label is its TCGA type or its name. */
export function loadCountsDir(target: string): LabelledCounts {
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => /\.(exp|tsv|txt)(\.gz)?$/i.test(f))
        .sort()
        .map((f) => path.join(target, f))
    : [target];
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
  return combineCounts(tables);
}

/** The table with another gene list (genes it lacks are 0). */
export function alignGenes(table: CountMatrix, genes: string[]): CountMatrix {
  const n = table.sampleIds.length;
  const index = new Map(table.geneIds.map((g, i) => [g, i] as const));
  const counts = new Float64Array(genes.length * n);
  genes.forEach((g, r) => {
    const i = index.get(g);
    if (i !== undefined) counts.set(table.counts.subarray(i * n, (i + 1) * n), r * n);
  });
  return { geneIds: genes, sampleIds: table.sampleIds, counts };
}

/** Training and test tables as one: training samples first, test samples (on the training genes) after. */
export function joinTrainTest(train: LabelledCounts, test: LabelledCounts): LabelledCounts {
  const aligned = alignGenes(test.counts, train.counts.geneIds);
  const joined = combineCounts([
    { table: train.counts, label: '_train' },
    { table: aligned, label: '_test' },
  ]);
  return { counts: joined.counts, labels: [...train.labels, ...test.labels] };
}

/** Samples x genes raw counts (GexBERT's input) of some samples of a genes x samples table. */
export function toExpression(table: CountMatrix, samples: number[]): ExpressionMatrix {
  const G = table.geneIds.length;
  const n = table.sampleIds.length;
  const values = new Float32Array(samples.length * G);
  samples.forEach((s, r) => {
    for (let g = 0; g < G; g++) values[r * G + g] = table.counts[g * n + s]!;
  });
  return { genes: table.geneIds, nSamples: samples.length, values, unit: 'counts' };
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
