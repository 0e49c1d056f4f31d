/**
 * The pancan33 split the experiments share (EXPERIMENTS.md 15): the sample table's rows split as
 * `gexbert evaluate --train pancan33 --quick --seed <seed>` splits them (stratifiedSplit(labels, 0.3, seed);
 * seed 1: 421 training / 183 test samples), the training and test samples as RSEM expression matrices, and
 * seeded random gene panels (the same for every method).
 */
import path from 'node:path';
import { rsemCorpusFromTable } from '@gexbert/core/training/rsemCorpus';
import { sharedPath } from '../../services/core/test-support/shared.ts';
import { readSurvival } from '../src/data/inputs.ts';
import { type ExpressionMatrix, matrixToZ, type NormStats } from '../src/gexbert/inference/normalise.ts';
import { createRandom, sampleWithoutReplacement } from '../src/random/random.ts';
import { stratifiedSplit } from '../src/stats/split.ts';
import type { SurvivalData } from '../src/survival/index.ts';

export const SHARED = sharedPath('data/tcga');

export interface Pancan33Split {
  genes: string[];
  train: ExpressionMatrix;
  test: ExpressionMatrix;
  trainLabels: string[];
  testLabels: string[];
  /** Patient barcodes (the key of the overall-survival table) of the training and test samples. */
  trainPatients: string[];
  testPatients: string[];
}

export async function pancan33Split(seed: number): Promise<Pancan33Split> {
  const rsem = await rsemCorpusFromTable(path.join(SHARED, 'pancan33'));
  const labels = rsem.cancerTypes.map((t) => t!);
  const split = stratifiedSplit(labels, 0.3, seed);
  const G = rsem.genes.length;
  const rows = (idx: number[]): ExpressionMatrix => {
    const values = new Float32Array(idx.length * G); // (n x G)
    idx.forEach((s, r) => {
      values.set(rsem.values.subarray(s * G, (s + 1) * G), r * G);
    });
    return { genes: rsem.genes, nSamples: idx.length, values, unit: 'rsem' };
  };
  return {
    genes: rsem.genes,
    train: rows(split.train),
    test: rows(split.test),
    trainLabels: split.train.map((i) => labels[i]!),
    testLabels: split.test.map((i) => labels[i]!),
    trainPatients: split.train.map((i) => rsem.patients[i]!),
    testPatients: split.test.map((i) => rsem.patients[i]!),
  };
}

/** `draws` seeded random panels of k of the genes (gene names), then all the genes. */
export function randomPanels(genes: string[], k: number, draws: number, seed: number): string[][] {
  const random = createRandom(seed);
  return [
    ...Array.from({ length: draws }, () => sampleWithoutReplacement(genes.length, k, random)),
    genes.map((_, g) => g),
  ].map((p) => p.map((g) => genes[g]!));
}

/** (n x panel) z of the panel's genes, from the model's normalisation. */
export function panelZ(stats: NormStats, m: ExpressionMatrix, panel: string[]): Float32Array[] {
  const z = matrixToZ(stats, m); // (n x V)
  const V = stats.genes.length;
  const at = panel.map((g) => stats.genes.indexOf(g));
  return Array.from({ length: m.nSamples }, (_, s) => Float32Array.from(at, (v) => z[s * V + v]!));
}

/** The rows of one side of a split whose patient has overall survival, their survival and cancer types. */
export interface SurvivalRows {
  rows: number[];
  data: SurvivalData;
  types: string[];
}

/** Each side's patients joined to `tcga_pancan_os.tsv.gz` (as `gexbert evaluate --clinical` joins them). */
export function survivalRows(s: Pancan33Split): { train: SurvivalRows; test: SurvivalRows } {
  const os = readSurvival(path.join(SHARED, 'clinical', 'tcga_pancan_os.tsv.gz'));
  const joined = (patients: string[], labels: string[]): SurvivalRows => {
    const rows = patients.flatMap((p, r) => (os.has(p) ? [r] : []));
    const data: SurvivalData = {
      time: rows.map((r) => os.get(patients[r]!)!.time),
      event: rows.map((r) => os.get(patients[r]!)!.event),
    };
    return { rows, data, types: rows.map((r) => labels[r]!) };
  };
  return { train: joined(s.trainPatients, s.trainLabels), test: joined(s.testPatients, s.testLabels) };
}
