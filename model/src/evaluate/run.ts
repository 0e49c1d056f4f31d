/**
 * `gexbert evaluate`: the paper's three tasks (cancer-type classification from small gene panels,
 * survival risk, imputation of missing genes), GexBERT against baselines, fitted on training samples
 * only and scored on test samples. Writes report.json, report.md and SVG plots.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createOnnxPredictor, embed, type Predictor, type Profile, restore } from '../gexbert/index.ts';
import { type ExpressionMatrix, matrixToZ, type NormStats } from '../gexbert/normalise.ts';
import { trainCheckpoint } from '../gexbert/recipe.ts';
import type { EventIndicator, SurvivalData } from '../survival/index.ts';
import { fitLogisticRegression, fitMlp } from './classify.ts';
import {
  type CountMatrix,
  combineCounts,
  fitStandardizer,
  parseCountTsv,
  randomGenePanel,
  stratifiedSplit,
} from './data.ts';
import { applyMask, imputationMetrics, knnImpute, mcarMask, meanImpute, tuneKnnK } from './impute.ts';
import { fromRows, type Matrix, selectCols, selectRows } from './matrix.ts';
import { accuracy, meanAndSd } from './metrics.ts';
import { type ReportRow, reportToMarkdown, writeReportJson } from './report.ts';
import { cancerTypeCoxRisk, pcaCoxRisk, riskGroupSurvival } from './survival.ts';
import { kaplanMeierPlot, linePlot } from './svg.ts';

export interface EvaluateOptions {
  /** Count files (genes x samples TSV, optionally gzipped) of the training samples. */
  train: string;
  /** Count files of the test samples; default a stratified 70/30 split of `train`. */
  test?: string;
  /** Overall-survival table (patient, OS_time_days, OS_event); joined on the first 12 barcode characters. */
  clinical?: string;
  seed?: number;
  quick?: boolean;
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

interface Loaded {
  counts: CountMatrix;
  labels: string[];
}

/** Reads every count file of a directory (or one file); a file's label is its TCGA type or its name. */
export function loadCountsDir(target: string): Loaded {
  const files = statSync(target).isDirectory()
    ? readdirSync(target)
        .filter((f) => /\.(exp|tsv|txt)(\.gz)?$/i.test(f))
        .sort()
        .map((f) => path.join(target, f))
    : [target];
  if (files.length === 0) throw new Error(`no count files in ${target}`);
  const tables = files.map((file) => {
    const raw = readFileSync(file);
    const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    const base = path.basename(file);
    const label = /TCGA_([A-Za-z0-9]+)_/.exec(base)?.[1] ?? base.replace(/\..*$/, '');
    return { table: parseCountTsv(text), label };
  });
  return combineCounts(tables);
}

/** The test table with the training table's genes (genes it lacks are 0). */
function alignGenes(table: CountMatrix, genes: string[]): CountMatrix {
  const n = table.sampleIds.length;
  const index = new Map(table.geneIds.map((g, i) => [g, i] as const));
  const counts = new Float64Array(genes.length * n);
  genes.forEach((g, r) => {
    const i = index.get(g);
    if (i !== undefined) counts.set(table.counts.subarray(i * n, (i + 1) * n), r * n);
  });
  return { geneIds: genes, sampleIds: table.sampleIds, counts };
}

/** Samples x genes raw counts (GexBERT's input) of some samples of a genes x samples table. */
function toExpression(table: CountMatrix, samples: number[]): ExpressionMatrix {
  const G = table.geneIds.length;
  const n = table.sampleIds.length;
  const values = new Float32Array(samples.length * G);
  samples.forEach((s, r) => {
    for (let g = 0; g < G; g++) values[r * G + g] = table.counts[g * n + s]!;
  });
  return { genes: table.geneIds, nSamples: samples.length, values, unit: 'counts' };
}

/** Per-gene z values (training statistics of the checkpoint) as a matrix: samples x vocabulary. */
function zMatrix(stats: NormStats, m: ExpressionMatrix): Matrix {
  const z = matrixToZ(stats, m);
  return {
    rows: m.nSamples,
    cols: stats.genes.length,
    data: Float64Array.from(z, (v) => (Number.isFinite(v) ? v : 0)),
  };
}

function readSurvival(file: string): Map<string, { time: number; event: EventIndicator }> {
  const raw = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  const lines = text.split('\n');
  const header = lines[0]!.replace(/\r$/, '').split('\t');
  const iPatient = header.indexOf('patient');
  const iTime = header.indexOf('OS_time_days');
  const iEvent = header.indexOf('OS_event');
  if (iPatient < 0 || iTime < 0 || iEvent < 0)
    throw new Error(`${file}: expected columns patient, OS_time_days, OS_event`);
  const os = new Map<string, { time: number; event: EventIndicator }>();
  for (const line of lines.slice(1)) {
    const cells = line.replace(/\r$/, '').split('\t');
    const time = Number(cells[iTime]);
    const event = Number(cells[iEvent]);
    if (cells[iPatient] && cells[iTime] !== 'NA' && Number.isFinite(time) && (event === 0 || event === 1))
      os.set(cells[iPatient]!, { time, event });
  }
  return os;
}

/** Rough wall time of a run, in seconds, for the message printed up front. */
export function expectedSeconds(quick: boolean): number {
  return quick ? 120 : 1800;
}

/**
 * Genes the evaluation hides are left out of the model's input (not fed as missing tokens): a panel of 16
 * genes is 16 inputs, and imputation at 90% missing does not flood the encoder with missing tokens.
 */
const OMIT = { missing: 'omit' } as const;

function zProfiles(z: Matrix, genes: string[], keep: (i: number, v: number) => boolean): Profile[] {
  return Array.from({ length: z.rows }, (_, i) => ({
    genes,
    values: Float32Array.from({ length: z.cols }, (_, v) =>
      keep(i, v) ? z.data[i * z.cols + v]! : Number.NaN,
    ),
    unit: 'z' as const,
  }));
}

function embeddingMatrix(embeddings: Float32Array[]): Matrix {
  return fromRows(embeddings);
}

export async function runEvaluation(options: EvaluateOptions): Promise<EvaluateResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const quick = options.quick ?? false;
  const seed = options.seed ?? 1;
  const notes: string[] = [];
  const rows: ReportRow[] = [];
  const add = (task: string, method: string, setting: string, metric: string, values: number[]) => {
    const { mean, sd } = meanAndSd(values);
    rows.push({ task, method, setting, metric, value: mean, spread: values.length > 1 ? sd : null });
  };

  // --- data ---
  log(`reading ${options.train}`);
  const trainData = loadCountsDir(options.train);
  let all: Loaded;
  let trainIdx: number[];
  let testIdx: number[];
  if (options.test) {
    log(`reading ${options.test}`);
    const testData = loadCountsDir(options.test);
    const aligned = alignGenes(testData.counts, trainData.counts.geneIds);
    all = combineCounts([
      { table: trainData.counts, label: '_train' },
      { table: aligned, label: '_test' },
    ]);
    all.labels = [...trainData.labels, ...testData.labels];
    const nTrain = trainData.labels.length;
    trainIdx = Array.from({ length: nTrain }, (_, i) => i);
    testIdx = Array.from({ length: testData.labels.length }, (_, i) => nTrain + i);
    notes.push(`Training samples: ${options.train}; test samples: ${options.test}.`);
  } else {
    all = trainData;
    const split = stratifiedSplit(all.labels, 0.3, seed);
    trainIdx = split.train;
    testIdx = split.test;
    notes.push(
      `No --test given: a seeded (seed ${seed}) stratified 70/30 split of ${options.train} by cancer type; everything is fitted on the 70% and scored on the 30%.`,
    );
  }
  const types = [...new Set(all.labels)].sort();
  const trainLabels = trainIdx.map((i) => all.labels[i]!);
  const testLabels = testIdx.map((i) => all.labels[i]!);
  log(
    `${all.labels.length} samples x ${all.counts.geneIds.length} genes (${types.join(', ')}); train ${trainIdx.length}, test ${testIdx.length}`,
  );
  notes.push(
    `${trainIdx.length} training and ${testIdx.length} test samples of ${types.length} types (${types.join(', ')}).`,
  );

  // --- GexBERT, trained on the training samples only ---
  const trainCounts = toExpression(all.counts, trainIdx);
  const testCounts = toExpression(all.counts, testIdx);
  const ckptDir = path.join(options.out, 'checkpoint');
  // The recipe of trainCheckpoint (recipe.ts), with a time limit in quick mode.
  const maxSteps = quick ? 600 : undefined;
  const timeLimit = quick ? 300 : undefined; // a safety net: 600 steps take ~60 s on an idle 2-core machine
  log(
    `training GexBERT (${quick ? `quick: at most ${maxSteps} steps or ${timeLimit} s` : 'full recipe'}) into ${ckptDir}`,
  );
  let lastReport = 0;
  const { config, model, stats, metrics } = await trainCheckpoint(trainCounts, {
    out: ckptDir,
    ...(options.allowedGenes ? { allowedGenes: options.allowedGenes } : {}),
    seed,
    dataDescription: `Trained by gexbert evaluate on the ${trainIdx.length} training samples of ${options.train}.`,
    ...(maxSteps === undefined ? {} : { maxSteps }),
    ...(timeLimit === undefined ? {} : { timeLimitSeconds: timeLimit }),
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastReport < 10_000 && p.step < p.totalSteps) return;
      lastReport = now;
      log(`train step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(4)}`);
    },
  });
  notes.push(
    `GexBERT: recipe config (width ${config.width}, ${config.encoderLayers} encoder layers), vocabulary ${stats.genes.length} genes, ${metrics.steps} optimiser steps in ${metrics.seconds.toFixed(0)} s${quick ? ` (--quick: at most ${maxSteps} steps or ${timeLimit} s${metrics.aborted ? '; stopped by the time limit' : ''})` : ''}; best validation loss ${metrics.bestValLoss?.toFixed(4) ?? 'n/a'}.`,
  );
  log(`trained: ${metrics.steps} steps in ${metrics.seconds.toFixed(0)} s`);
  const predictor: Predictor = await createOnnxPredictor(config, model.getWeights());
  const vocab = stats.genes;
  const V = vocab.length;
  const trainZ = zMatrix(stats, trainCounts);
  const testZ = zMatrix(stats, testCounts);
  const files: string[] = [];

  // --- classification ---
  const ks = (quick ? [16, 64] : [16, 64, 256, 1024]).filter((k) => k <= V);
  const draws = quick ? 2 : 5;
  const acc: Record<string, number[]> = { logistic: [], mlp: [], gexbert: [] };
  for (const k of ks) {
    const per: Record<string, number[]> = { logistic: [], mlp: [], gexbert: [] };
    for (let d = 0; d < draws; d++) {
      log(`classification: k=${k}, draw ${d + 1}/${draws}`);
      const panel = randomGenePanel(V, k, seed * 1000 + k * 10 + d);
      const xTrain = selectCols(trainZ, panel);
      const xTest = selectCols(testZ, panel);
      per.logistic!.push(accuracy(testLabels, fitLogisticRegression(xTrain, trainLabels).predict(xTest)));
      per.mlp!.push(accuracy(testLabels, fitMlp(xTrain, trainLabels, { seed: seed + d }).predict(xTest)));
      const inPanel = new Uint8Array(V);
      for (const g of panel) inPanel[g] = 1;
      const eTrain = (
        await embed(
          predictor,
          stats,
          zProfiles(trainZ, vocab, (_, v) => inPanel[v] === 1),
          OMIT,
        )
      ).embeddings;
      const eTest = (
        await embed(
          predictor,
          stats,
          zProfiles(testZ, vocab, (_, v) => inPanel[v] === 1),
          OMIT,
        )
      ).embeddings;
      const clf = fitLogisticRegression(embeddingMatrix(eTrain), trainLabels);
      per.gexbert!.push(accuracy(testLabels, clf.predict(embeddingMatrix(eTest))));
    }
    for (const [method, values] of Object.entries(per)) {
      add(
        'classification',
        method === 'gexbert' ? 'gexbert-embedding+logistic' : method,
        `k=${k} genes`,
        'accuracy',
        values,
      );
      acc[method]!.push(meanAndSd(values).mean);
    }
  }
  const accSvg = path.join(options.out, 'classification-accuracy.svg');
  await writeFile(
    accSvg,
    linePlot(
      Object.entries(acc).map(([name, y]) => ({ name, x: ks, y })),
      {
        title: 'Cancer-type accuracy vs number of genes (test samples)',
        xLabel: 'genes in the random panel',
        yLabel: 'accuracy',
        logX: true,
        yRange: [0, 1],
      },
    ),
  );
  files.push(accSvg);

  // --- survival ---
  if (options.clinical) {
    const os = readSurvival(options.clinical);
    const withOs = (idx: number[]) =>
      idx.flatMap((s, r) => (os.has(all.counts.sampleIds[s]!.slice(0, 12)) ? [r] : []));
    const trRows = withOs(trainIdx);
    const teRows = withOs(testIdx);
    const surv = (idx: number[], r: number[]): SurvivalData => {
      const recs = r.map((i) => os.get(all.counts.sampleIds[idx[i]!]!.slice(0, 12))!);
      return { time: recs.map((x) => x.time), event: recs.map((x) => x.event) };
    };
    const sTrain = surv(trainIdx, trRows);
    const sTest = surv(testIdx, teRows);
    log(`survival: ${trRows.length} training and ${teRows.length} test patients with overall survival`);
    const setting = `${trRows.length} train / ${teRows.length} test patients`;
    const pca = pcaCoxRisk(selectRows(trainZ, trRows), sTrain, selectRows(testZ, teRows), sTest, { k: 5 });
    const eTrain = embeddingMatrix(
      (
        await embed(
          predictor,
          stats,
          zProfiles(selectRows(trainZ, trRows), vocab, () => true),
          OMIT,
        )
      ).embeddings,
    );
    const eTest = embeddingMatrix(
      (
        await embed(
          predictor,
          stats,
          zProfiles(selectRows(testZ, teRows), vocab, () => true),
          OMIT,
        )
      ).embeddings,
    );
    const gex = pcaCoxRisk(eTrain, sTrain, eTest, sTest, { k: 5 });
    const type = cancerTypeCoxRisk(
      trRows.map((r) => trainLabels[r]!),
      sTrain,
      teRows.map((r) => testLabels[r]!),
      sTest,
    );
    const groups = riskGroupSurvival(sTest, gex.testRisk, 'median', gex.trainRisk);
    const pcaGroups = riskGroupSurvival(sTest, pca.testRisk, 'median', pca.trainRisk);
    add('survival', 'pca5+cox', setting, 'c-index', [pca.cIndex]);
    add('survival', 'gexbert-embedding+pca5+cox', setting, 'c-index', [gex.cIndex]);
    add('survival', 'cancer-type+cox', setting, 'c-index', [type.cIndex]);
    add('survival', 'pca5+cox', setting, 'log-rank p (median split)', [pcaGroups.logRank.pValue]);
    add('survival', 'gexbert-embedding+pca5+cox', setting, 'log-rank p (median split)', [
      groups.logRank.pValue,
    ]);
    const kmSvg = path.join(options.out, 'survival-km.svg');
    await writeFile(
      kmSvg,
      kaplanMeierPlot(
        groups.km.curves.map((c, i) => ({
          name: `${String(groups.km.groups[i])} risk`,
          time: c.time,
          surv: c.surv,
        })),
        { title: 'Test patients by GexBERT risk (median of training risk)', pValue: groups.logRank.pValue },
      ),
    );
    files.push(kmSvg);
  } else {
    notes.push('Survival not evaluated: no --clinical table given.');
  }

  // --- imputation (per-gene z space of the training statistics) ---
  const rates = quick ? [0.3, 0.7] : [0.3, 0.5, 0.7, 0.9];
  const geneSets = (quick ? [256] : [256, 1000]).filter((n) => n <= V);
  const variance = Array.from({ length: V }, (_, v) => {
    let s = 0;
    for (let i = 0; i < trainZ.rows; i++) s += trainZ.data[i * V + v]! ** 2;
    return s;
  });
  const byVariance = Array.from({ length: V }, (_, v) => v).sort(
    (a, b) => variance[b]! - variance[a]! || a - b,
  );
  const impSeries: { name: string; x: number[]; y: number[] }[] = [];
  for (const nGenes of geneSets) {
    const cols = byVariance.slice(0, nGenes).sort((a, b) => a - b);
    const genes = cols.map((c) => vocab[c]!);
    const ref = selectCols(trainZ, cols);
    const truth = selectCols(testZ, cols);
    const standardizer = fitStandardizer(ref);
    const knnK = tuneKnnK(ref, { seed }).k;
    const series: Record<string, number[]> = { mean: [], [`knn(k=${knnK})`]: [], gexbert: [] };
    for (const rate of rates) {
      log(`imputation: ${nGenes} genes, ${rate * 100}% missing`);
      const mask = mcarMask(truth.rows, truth.cols, rate, seed * 100 + Math.round(rate * 100) + nGenes);
      const masked = applyMask(truth, mask);
      const restored = await restore(
        predictor,
        stats,
        Array.from({ length: masked.rows }, (_, i) => ({
          genes,
          values: Float32Array.from(masked.data.subarray(i * nGenes, (i + 1) * nGenes)),
          unit: 'z' as const,
        })),
        genes,
        { unit: 'z', ...OMIT },
      );
      const gexData = Float64Array.from(masked.data);
      for (let i = 0; i < masked.rows; i++)
        for (let j = 0; j < nGenes; j++) {
          const q = i * nGenes + j;
          if (mask[q] === 1) {
            const v = restored.values[i]![j]!;
            gexData[q] = Number.isFinite(v) ? v : standardizer.mean[j]!;
          }
        }
      const methods: [string, Matrix][] = [
        ['mean', meanImpute(ref, masked)],
        [`knn(k=${knnK})`, knnImpute(ref, masked, knnK)],
        ['gexbert', { rows: masked.rows, cols: nGenes, data: gexData }],
      ];
      const setting = `missing=${rate * 100}%, genes=${nGenes}`;
      for (const [method, imputed] of methods) {
        const m = imputationMetrics(truth, imputed, mask, standardizer);
        add('imputation', method, setting, 'pearson', [m.pearson]);
        add('imputation', method, setting, 'rmse (z)', [m.rmseStandardized]);
        series[method]!.push(m.pearson);
      }
    }
    for (const [name, y] of Object.entries(series))
      impSeries.push({ name: `${name}, ${nGenes} genes`, x: rates.map((r) => r * 100), y });
  }
  notes.push('Imputation: no VAE baseline is implemented here; only the per-gene mean and KNN are compared.');
  if (!quick) notes.push('Imputation over 5,000 genes is not run (the GexBERT vocabulary has 1,000 genes).');
  const impSvg = path.join(options.out, 'imputation-pearson.svg');
  await writeFile(
    impSvg,
    linePlot(impSeries, {
      title: 'Imputation Pearson (masked test entries) vs missing rate',
      xLabel: 'missing rate (%)',
      yLabel: 'Pearson r',
    }),
  );
  files.push(impSvg);

  // --- report ---
  const seconds = (Date.now() - started) / 1000;
  const jsonFile = path.join(options.out, 'report.json');
  await writeReportJson(jsonFile, rows);
  const mdFile = path.join(options.out, 'report.md');
  await mkdir(options.out, { recursive: true });
  await writeFile(mdFile, renderMarkdown(rows, notes, quick, seconds));
  files.unshift(jsonFile, mdFile);
  return { rows, files, notes, seconds };
}

function value(rows: ReportRow[], task: string, method: string, setting: string, metric: string): number {
  return (
    rows.find((r) => r.task === task && r.method === method && r.setting === setting && r.metric === metric)
      ?.value ?? Number.NaN
  );
}

function renderMarkdown(rows: ReportRow[], notes: string[], quick: boolean, seconds: number): string {
  const out: string[] = ['# GexBERT evaluation', ''];
  out.push(
    `Mode: ${quick ? '--quick (few training steps, few draws: indicative only)' : 'full'}; run time ${seconds.toFixed(0)} s.`,
    '',
  );
  for (const n of notes) out.push(`- ${n}`);
  out.push('');
  const claims: Record<string, string> = {
    classification: 'Paper: 94% pan-cancer accuracy from 64 genes, above an MLP on the same genes.',
    survival:
      'Paper: GexBERT embeddings predict survival better than PCA (up to +1.7% with restored anchor genes; the anchor-gene variant is not run here).',
    imputation: 'Paper: GexBERT restores missing genes better than KNN and a VAE.',
  };
  for (const task of ['classification', 'survival', 'imputation']) {
    const taskRows = rows.filter((r) => r.task === task);
    out.push(`## ${task}`, '', `${claims[task]}`, '');
    if (taskRows.length === 0) {
      out.push('Not evaluated.', '');
      continue;
    }
    out.push(reportToMarkdown(taskRows));
    const findings: string[] = [];
    const settings = [...new Set(taskRows.map((r) => r.setting))];
    for (const setting of settings) {
      if (task === 'classification') {
        const g = value(rows, task, 'gexbert-embedding+logistic', setting, 'accuracy');
        for (const b of ['logistic', 'mlp']) {
          const v = value(rows, task, b, setting, 'accuracy');
          findings.push(
            g > v
              ? `${setting}: GexBERT (${g.toFixed(3)}) beats ${b} (${v.toFixed(3)}).`
              : `${setting}: GexBERT (${g.toFixed(3)}) does NOT beat ${b} (${v.toFixed(3)}).`,
          );
        }
      } else if (task === 'survival') {
        const g = value(rows, task, 'gexbert-embedding+pca5+cox', setting, 'c-index');
        for (const b of ['pca5+cox', 'cancer-type+cox']) {
          const v = value(rows, task, b, setting, 'c-index');
          findings.push(
            g > v
              ? `C-index: GexBERT (${g.toFixed(3)}) beats ${b} (${v.toFixed(3)}; ${(100 * (g - v)).toFixed(1)} points).`
              : `C-index: GexBERT (${g.toFixed(3)}) does NOT beat ${b} (${v.toFixed(3)}; ${(100 * (g - v)).toFixed(1)} points).`,
          );
        }
      } else {
        const g = value(rows, task, 'gexbert', setting, 'pearson');
        const baselines = [
          ...new Set(
            taskRows.filter((r) => r.setting === setting && r.method !== 'gexbert').map((r) => r.method),
          ),
        ];
        for (const b of baselines) {
          const v = value(rows, task, b, setting, 'pearson');
          findings.push(
            g > v
              ? `${setting}: GexBERT Pearson (${g.toFixed(3)}) beats ${b} (${v.toFixed(3)}).`
              : `${setting}: GexBERT Pearson (${g.toFixed(3)}) does NOT beat ${b} (${v.toFixed(3)}).`,
          );
        }
      }
    }
    if (task === 'classification') {
      const g64 = value(rows, task, 'gexbert-embedding+logistic', 'k=64 genes', 'accuracy');
      if (Number.isFinite(g64))
        findings.push(
          `GexBERT accuracy from 64 genes: ${(100 * g64).toFixed(1)}% (paper: 94%; a different, smaller data set and split).`,
        );
    }
    for (const f of findings) out.push(`- ${f}`);
    out.push('');
  }
  out.push(
    'Plots: classification-accuracy.svg, survival-km.svg (when survival is evaluated), imputation-pearson.svg.',
    '',
  );
  return `${out.join('\n')}\n`;
}
