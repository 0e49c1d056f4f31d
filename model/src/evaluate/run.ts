/**
 * `gexbert evaluate`: the paper's three tasks (cancer-type classification from small gene panels,
 * survival risk, imputation of missing genes), GexBERT against baselines, fitted on training samples
 * only and scored on test samples — one split, or cross-validation folds. Writes report.json (rows:
 * task, method, setting, metric, value, spread), report.md and plots (SVG and PNG).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Split, stratifiedKFold, stratifiedSplit } from './data.ts';
import { closeFold, type FoldContext, prepareFold } from './fold.ts';
import { joinTrainTest, type LabelledCounts, loadCountsDir, readSurvival } from './inputs.ts';
import { Measurements } from './measurements.ts';
import { accuracyPlot, imputationPlot, reliabilityDiagram, riskGroupPlot, writePlot } from './plots.ts';
import { type ReportRow, writeReportJson } from './report.ts';
import { renderMarkdown } from './reportMarkdown.ts';
import { classifyCancerType } from './tasks/classification.ts';
import { imputeMissing } from './tasks/imputation.ts';
import { type RiskGroupMember, survivalRisk } from './tasks/survival.ts';
import { measureTrust, type ReliabilityRecord } from './tasks/trust.ts';

export { loadCountsDir } from './inputs.ts';

export interface EvaluateOptions {
  /** Count files (genes x samples TSV, optionally gzipped) of the training samples. */
  train: string;
  /** Count files of the test samples; default cross-validation on `train` (--quick: one 70/30 split). */
  test?: string;
  /** Overall-survival table (patient, OS_time_days, OS_event); joined on the first 12 barcode characters. */
  clinical?: string;
  seed?: number;
  quick?: boolean;
  /** Cross-validation folds without --test in full mode (default 3). */
  folds?: number;
  out: string;
  /** Genes the GexBERT vocabulary may use (e.g. protein-coding Ensembl IDs). */
  allowedGenes?: ReadonlySet<string>;
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

export function planSplits(options: EvaluateOptions, log: (line: string) => void): Plan {
  const seed = options.seed ?? 1;
  log(`reading ${options.train}`);
  const train = loadCountsDir(options.train);
  if (options.test) {
    log(`reading ${options.test}`);
    const test = loadCountsDir(options.test);
    const data = joinTrainTest(train, test);
    const nTrain = train.labels.length;
    return {
      data,
      splits: [
        {
          train: Array.from({ length: nTrain }, (_, i) => i),
          test: Array.from({ length: test.labels.length }, (_, i) => nTrain + i),
        },
      ],
      description: `Training samples: ${options.train}; test samples: ${options.test}.`,
    };
  }
  const folds = foldCount(options);
  if (folds === 1)
    return {
      data: train,
      splits: [stratifiedSplit(train.labels, 0.3, seed)],
      description: `No --test given: a seeded (seed ${seed}) stratified 70/30 split of ${options.train} by cancer type (--quick: one split instead of cross-validation); everything is fitted on the 70% and scored on the 30%.`,
    };
  return {
    data: train,
    splits: stratifiedKFold(train.labels, folds, seed),
    description: `No --test given: seeded (seed ${seed}) stratified ${folds}-fold cross-validation of ${options.train} by cancer type; in each fold everything (GexBERT included) is fitted on the other folds and scored on it. Values are means over folds (and panel draws), ± their standard deviation.`,
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
  const reliability = await measureTrust(fold);
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
      ...(options.allowedGenes ? { allowedGenes: options.allowedGenes } : {}),
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
