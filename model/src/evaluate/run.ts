/**
 * `gexbert evaluate`: the paper's three tasks (cancer-type classification from small gene panels,
 * survival risk, imputation of missing genes), GexBERT against baselines, fitted on training samples
 * only and scored on test samples — one split, or cross-validation folds. Writes report.json (rows:
 * task, method, setting, metric, value, spread), report.md and plots (SVG and PNG).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type DatasetSource,
  describeDataset,
  detectDataset,
  joinTrainTest,
  type LabelledCounts,
  loadDataset,
  readSurvival,
} from '../data/inputs.ts';
import type { EngineChoice } from '../gexbert/training/engine.ts';
import { type Split, stratifiedKFold, stratifiedSplit } from '../stats/split.ts';
import { closeFold, type EvaluationPart, type FoldContext, isChosenGeneSet, prepareFold } from './fold.ts';
import { Measurements } from './measurements.ts';
import { accuracyPlot, imputationPlot, reliabilityDiagram, riskGroupPlot, writePlot } from './plots.ts';
import { type ReportRow, writeReportJson } from './report.ts';
import { renderMarkdown } from './reportMarkdown.ts';
import { classifyCancerType } from './tasks/classification.ts';
import { imputeMissing } from './tasks/imputation.ts';
import { type RiskGroupMember, survivalRisk } from './tasks/survival.ts';
import { measureTrust, type ReliabilityRecord } from './tasks/trust.ts';

export interface EvaluateOptions {
  /**
   * The training samples: count files (genes x samples TSV, optionally gzipped; a folder or one file), or a
   * folder with a `<name>_expression.tsv[.gz]` (samples x genes normalised values) and `<name>_samples.tsv`
   * (sample, patient, cancer_type) pair (inputs.ts detectDataset).
   */
  train: string;
  /** The test samples, in the same form; default cross-validation on `train` (--quick: one 70/30 split). */
  test?: string;
  /**
   * Overall-survival table (patient, OS_time_days, OS_event); joined on each sample's patient (the sample
   * table's `patient` column, or the first 12 characters of a count table's barcode).
   */
  clinical?: string;
  seed?: number;
  quick?: boolean;
  /** Cross-validation folds without --test in full mode (default 3). */
  folds?: number;
  out: string;
  /**
   * Genes the GexBERT vocabulary may use (e.g. protein-coding Ensembl IDs). Applies to count tables; a
   * sample table's genes are an already chosen set and all of them are used.
   */
  allowedGenes?: ReadonlySet<string>;
  /** A step limit for every GexBERT the run trains (tests); default: --quick's 600, the full recipe otherwise. */
  maxSteps?: number;
  /** The engine every GexBERT the run trains uses (default `auto`; gexbert/training/engine.ts). */
  engine?: EngineChoice;
  /** Parts left out (tests): GexBERT fine-tuning in the classification task, the trust task. A note says so. */
  skip?: readonly EvaluationPart[];
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface EvaluateResult {
  rows: ReportRow[];
  files: string[];
  notes: string[];
  seconds: number;
}

export const DEFAULT_FOLDS = 3;

/** Folds a run will train (one GexBERT per fold). */
export function foldCount(options: Pick<EvaluateOptions, 'test' | 'quick' | 'folds'>): number {
  return options.test || options.quick ? 1 : (options.folds ?? DEFAULT_FOLDS);
}

/**
 * Rough wall time of a run on an idle 2-core machine, in seconds, for the message printed up front.
 * Measured on the 291 real samples: --quick 129 s; the full 3-fold run 2,608 s (per fold: recipe training
 * 170-260 s, wide-model training 300-336 s, classification ~240 s, imputation ~90 s, survival ~10 s).
 * The trust task adds about a minute per fold (57 s in a --quick run on a busy machine: calibration 22 s,
 * out-of-distribution flags 26 s, interval coverage 9 s).
 */
export function expectedSeconds(quick: boolean, folds = 1): number {
  return quick ? 240 : folds * 960; // 48 min for 3 folds
}

export interface Plan {
  data: LabelledCounts;
  splits: Split[];
  description: string;
}

/** Reads a data set, logging which kind it is; returns it and a sentence for the report. */
function readDataset(
  flag: string,
  target: string,
  log: (line: string) => void,
): { data: LabelledCounts; read: string } {
  const source: DatasetSource = detectDataset(target);
  log(`reading ${target}: ${describeDataset(source)}`);
  const data = loadDataset(target, source);
  const types = new Set(data.labels).size;
  return {
    data,
    read: `${flag} ${target}: read as ${describeDataset(source)}; ${data.labels.length} samples of ${types} types, ${data.counts.geneIds.length} genes.`,
  };
}

/**
 * How the smallest types are divided by the splits: types with fewer than `2 * splits` samples (at most
 * one test sample per split), with their training / test samples in each split.
 */
export function smallTypes(labels: string[], splits: Split[]): string | null {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const small = [...counts].filter(([, n]) => n < 2 * Math.max(2, splits.length)).sort();
  if (small.length === 0) return null;
  const per = (type: string, idx: number[]) => idx.filter((i) => labels[i] === type).length;
  return `Small types: ${small
    .map(
      ([type, n]) =>
        `${type} ${n} samples (${splits.map((s) => `${per(type, s.train)} training / ${per(type, s.test)} test`).join('; ')})`,
    )
    .join(
      ', ',
    )}. Stratification deals each type's samples round-robin over the folds (a 70/30 split sends round(0.3 n), at least 1, to the test side while keeping at least 1 for training), so a type with as many samples as folds has one test sample per fold; its recall is a mean of 0/1 outcomes. A type absent from a split's test samples has no recall there (means over the splits where it is tested), and one absent from its training samples cannot be predicted.`;
}

export function planSplits(options: EvaluateOptions, log: (line: string) => void): Plan {
  const seed = options.seed ?? 1;
  const train = readDataset('--train', options.train, log);
  if (options.test) {
    const test = readDataset('--test', options.test, log);
    const data = joinTrainTest(train.data, test.data);
    const nTrain = train.data.labels.length;
    return {
      data,
      splits: [
        {
          train: Array.from({ length: nTrain }, (_, i) => i),
          test: Array.from({ length: test.data.labels.length }, (_, i) => nTrain + i),
        },
      ],
      description: `${train.read} ${test.read} Training samples: ${options.train}; test samples: ${options.test}.`,
    };
  }
  const folds = foldCount(options);
  if (folds === 1)
    return {
      data: train.data,
      splits: [stratifiedSplit(train.data.labels, 0.3, seed)],
      description: `${train.read} No --test given: a seeded (seed ${seed}) stratified 70/30 split of ${options.train} by cancer type (--quick: one split instead of cross-validation); everything is fitted on the 70% and scored on the 30%.`,
    };
  return {
    data: train.data,
    splits: stratifiedKFold(train.data.labels, folds, seed),
    description: `${train.read} No --test given: seeded (seed ${seed}) stratified ${folds}-fold cross-validation of ${options.train} by cancer type; in each fold everything (GexBERT included) is fitted on the other folds and scored on it. Values are means over folds (and panel draws), ± their standard deviation.`,
  };
}

/**
 * The tasks of one fold; returns its test patients' risk groups (empty without survival) and its test
 * probabilities for the reliability diagram.
 */
async function evaluateFold(
  fold: FoldContext,
): Promise<{ groups: RiskGroupMember[]; reliability: ReliabilityRecord[] }> {
  await classifyCancerType(fold);
  const groups = fold.survival ? await survivalRisk(fold) : [];
  await imputeMissing(fold);
  const reliability = fold.skip.has('trust') ? [] : await measureTrust(fold);
  return { groups, reliability };
}

export async function runEvaluation(options: EvaluateOptions): Promise<EvaluateResult> {
  const started = Date.now();
  const baseLog = options.log ?? (() => {});
  const quick = options.quick ?? false;
  const seed = options.seed ?? 1;
  const notes: string[] = [];
  const note = (text: string) => {
    if (!notes.includes(text)) notes.push(text);
  };
  const measurements = new Measurements();
  const plan = planSplits(options, baseLog);
  note(plan.description);
  const { data, splits } = plan;
  const types = [...new Set(data.labels)].sort();
  note(
    `${data.labels.length} samples of ${types.length} types (${types.join(', ')}); ${splits.map((s) => `${s.train.length} training / ${s.test.length} test`).join('; ')}.`,
  );
  const small = smallTypes(data.labels, splits);
  if (small) note(small);
  const chosen = isChosenGeneSet(data);
  if (chosen)
    note(
      `Normalised values: log2(max(x, 0) + 1) (the model's log transform; the few batch-correction values below 0 count as 0), then per-gene z-scores fitted on each split's training samples, which GexBERT and every baseline read. The ${data.counts.geneIds.length} genes are an already chosen set: GexBERT's vocabulary is all of them (no expression floor${options.allowedGenes ? ', no protein-coding filter (its Ensembl IDs would not match these gene IDs)' : ''}), panels are drawn from them, and there is no wide model (the trust task's PCA baseline, named for the 1,000 most variable genes, reads all of them).`,
    );
  const allowedGenes = chosen ? undefined : options.allowedGenes;
  const skip = new Set(options.skip ?? []);
  if (skip.size > 0) note(`Left out of this run: ${[...skip].join(', ')}.`);
  const survival = options.clinical ? readSurvival(options.clinical) : null;
  if (!survival) note('Survival not evaluated: no --clinical table given.');
  const riskGroups: RiskGroupMember[] = [];
  const reliability: ReliabilityRecord[] = [];
  for (const [f, split] of splits.entries()) {
    const log =
      splits.length > 1 ? (line: string) => baseLog(`fold ${f + 1}/${splits.length}: ${line}`) : baseLog;
    const fold = await prepareFold({
      fold: f,
      folds: splits.length,
      seed,
      quick,
      log,
      out: options.out,
      data,
      trainIdx: split.train,
      testIdx: split.test,
      trainDescription: `Trained by gexbert evaluate on ${split.train.length} training samples of ${options.train}${splits.length > 1 ? ` (fold ${f + 1} of ${splits.length})` : ''}.`,
      survival,
      ...(allowedGenes ? { allowedGenes } : {}),
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
      ...(options.engine === undefined ? {} : { engine: options.engine }),
      skip,
      measurements,
      note,
    });
    try {
      const result = await evaluateFold(fold);
      riskGroups.push(...result.groups);
      reliability.push(...result.reliability);
    } finally {
      await closeFold(fold);
    }
  }
  const rows = measurements.rows();

  await mkdir(options.out, { recursive: true });
  const plots = [
    ...(await writePlot(options.out, 'classification-accuracy', accuracyPlot(rows))),
    ...(riskGroups.length > 0
      ? await writePlot(
          options.out,
          'survival-km',
          riskGroupPlot(
            riskGroups,
            `Test patients by GexBERT risk (median of training risk${splits.length > 1 ? ', pooled over folds' : ''})`,
          ),
        )
      : []),
    ...(await writePlot(options.out, 'imputation-pearson', imputationPlot(rows, 'pearson'))),
    ...(await writePlot(options.out, 'imputation-rmse', imputationPlot(rows, 'rmse (z)'))),
    ...(await writePlot(options.out, 'trust-reliability', reliabilityDiagram(reliability, splits.length))),
  ];
  const seconds = (Date.now() - started) / 1000;
  const jsonFile = path.join(options.out, 'report.json');
  await writeReportJson(jsonFile, rows);
  const mdFile = path.join(options.out, 'report.md');
  await writeFile(
    mdFile,
    renderMarkdown({ rows, notes, quick, seconds, plots: plots.map((p) => path.basename(p)) }),
  );
  return { rows, files: [jsonFile, mdFile, ...plots], notes, seconds };
}
