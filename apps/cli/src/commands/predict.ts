// gexbert predict: score expression files with a checkpoint (cancer type with a novelty flag, survival risk,
// embeddings, restored gene values with intervals) without a database and without storing anything.
//
// Input is what the ingest commands read (counts matrices, Xena matrices, GDC downloads with their sample
// sheet), parsed by the same parsers. Each sample becomes model input exactly as a stored sample does
// (sampleProfiles in services/core/src/inference/modelRuntime.ts): log2(CPM + 1) with the library size over
// the sample's whole profile, then only the vocabulary's genes handed to the model, so a file's answers
// equal the API's answers for the same sample once ingested.
import fs from 'node:fs';
import path from 'node:path';
import { sniffFile } from '@gexbert/core/formats/detect';
import { parseGdc, parseGdcSampleSheet } from '@gexbert/core/formats/gdc';
import { parseCountsMatrix, parseXena } from '@gexbert/core/formats/index';
import { InputError } from '@gexbert/core/formats/inputError';
import { EXPRESSION_UNITS, type ExpressionUnit, type ParsedMatrix } from '@gexbert/core/formats/types';
import { geneReference } from '@gexbert/core/gene/reference';
import { parseEnsemblId } from '@gexbert/core/gene/resolve';
import { countsInput, loadCheckpointRuntime, type ModelRuntime } from '@gexbert/core/inference/modelRuntime';
import { dataFiles } from '@gexbert/core/ingest/files';
import { SHIPPED_CHECKPOINT } from '@gexbert/core/registry/modelVersion';
import type { SamplePrediction } from '@gexbert/model/heads';
import {
  embed,
  type NormStats,
  type Profile,
  restore,
  toLog2Cpm,
  vocabularyIndex,
} from '@gexbert/model/inference';
import { type Command, Option } from 'commander';
import { fail, type OutputOptions, report } from '../output.ts';
import { progress } from '../progress.ts';

/** Units the model's input, log2(CPM + 1) over the whole profile, can be computed from faithfully. */
const MODEL_UNITS: ReadonlySet<ExpressionUnit> = new Set(['RAW_COUNT', 'LOG2_COUNT_PLUS1']);

/** The columns of predictions.tsv, in order. */
export const PREDICTION_COLUMNS = [
  'sample',
  'predicted_type',
  'probability',
  'closest_type',
  'novelty',
  'out_of_distribution',
  'risk_score',
] as const;
export const RESTORED_COLUMNS = [
  'sample',
  'gene',
  'symbol',
  'value',
  'lower',
  'upper',
  'measured_value',
] as const;
const OUTPUT_FILES = ['predictions.tsv', 'embeddings.tsv', 'restored.tsv'];

interface Flags extends OutputOptions {
  genes?: string;
  inputGenes?: string;
  model?: string;
  unit?: ExpressionUnit;
  sampleSheet?: string;
  out: string;
}

export function registerPredict(program: Command): void {
  program
    .command('predict <path>')
    .description(
      'score count files (a file or a directory; any format the ingest commands read) with a checkpoint: cancer type, risk, embeddings, restored genes; needs no database and stores nothing',
    )
    .requiredOption('--out <dir>', 'folder to write predictions.tsv, embeddings.tsv (and restored.tsv) into')
    .option('--model <dir>', 'the checkpoint folder (default: the shipped model)')
    .option('--genes <list>', 'genes to restore, comma-separated Ensembl IDs or HGNC symbols (restored.tsv)')
    .option(
      '--input-genes <list>',
      'use only these genes as the model input (a panel), comma-separated Ensembl IDs or HGNC symbols',
    )
    .addOption(
      new Option(
        '--unit <unit>',
        'unit of the values (default: RAW_COUNT for count matrices, LOG2_COUNT_PLUS1 for Xena matrices); the model reads raw counts or log2(count+1)',
      ).choices(EXPRESSION_UNITS),
    )
    .option('--sample-sheet <tsv>', 'the GDC sample sheet, when <path> is a GDC download folder')
    .option('--json', 'print the result as JSON')
    .action(async (target: string, flags: Flags) => {
      try {
        await runPredict(target, flags);
      } catch (error) {
        fail(flags, error);
      }
    });
}

/** One sample read from a file: its model input and its whole-profile log2(CPM + 1) by Ensembl ID. */
export interface ReadSample {
  sample: string;
  file: string;
  profile: Profile;
  log2cpm: Float32Array;
  geneIndex: Map<string, number>;
}

async function runPredict(target: string, flags: Flags): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const modelDir = path.resolve(flags.model ?? SHIPPED_CHECKPOINT);
  if (!fs.existsSync(path.join(modelDir, 'config.json')))
    throw new Error(`${modelDir} is not a checkpoint folder (no config.json): pass --model <checkpoint dir>`);
  const outDir = path.resolve(flags.out);
  checkOutDir(outDir);
  const restoreGenes = flags.genes === undefined ? null : resolveGeneList('--genes', flags.genes);
  const inputGenes =
    flags.inputGenes === undefined ? null : resolveGeneList('--input-genes', flags.inputGenes);

  // Every file is parsed before the model is loaded: a bad file fails fast and nothing is written.
  const { matrices, skipped } = await readInputs(target, flags);
  for (const s of skipped) log(`note: ${s}`);
  const warnings = matrices.flatMap((m) => m.warnings);
  for (const w of warnings) log(`warning: ${w}`);

  const runtime = await loadCheckpointRuntime(modelDir);
  try {
    const stats = runtime.stats;
    const vocabulary = vocabularyIndex(stats);
    const notes: string[] = [];
    let panel: Set<string> | null = null;
    if (inputGenes) {
      const known = inputGenes.filter((g) => vocabulary.has(g.ensemblId));
      if (known.length === 0)
        throw new Error(
          `--input-genes: none of the ${inputGenes.length} genes is in the model's vocabulary (${stats.genes.length} genes, ${path.join(modelDir, 'vocabulary.txt')}): the model would have no input`,
        );
      if (known.length < inputGenes.length)
        notes.push(
          `--input-genes: ${inputGenes.length - known.length} of ${inputGenes.length} genes are not in the model's vocabulary and cannot be input (${inputGenes
            .filter((g) => !vocabulary.has(g.ensemblId))
            .slice(0, 5)
            .map((g) => g.label)
            .join(', ')})`,
        );
      panel = new Set(known.map((g) => g.ensemblId));
    }
    let queries: ResolvedName[] = [];
    if (restoreGenes) {
      queries = restoreGenes.filter((g) => vocabulary.has(g.ensemblId));
      if (queries.length < restoreGenes.length)
        notes.push(
          `--genes: ${restoreGenes.length - queries.length} of ${restoreGenes.length} genes are not in the model's vocabulary and cannot be restored (${restoreGenes
            .filter((g) => !vocabulary.has(g.ensemblId))
            .slice(0, 5)
            .map((g) => g.label)
            .join(', ')})`,
        );
      if (queries.length === 0)
        throw new Error(
          `--genes: none of the ${restoreGenes.length} genes is in the model's vocabulary (${path.join(modelDir, 'vocabulary.txt')}): nothing can be restored`,
        );
    }
    const samples = matrices.flatMap((m) => sampleInputs(m, runtime.stats, panel));
    if (samples.length === 0) throw new Error(`${target}: no samples to score`);
    if (!runtime.headServer)
      notes.push(
        `the checkpoint ${modelDir} has no heads (heads.json): cancer type and risk are left empty; fit them with \`gexbert heads fit --model ${modelDir} --data <count files>\``,
      );
    else if (!runtime.headServer.heads.full.risk && !runtime.headServer.heads.full.cancerType)
      notes.push('the heads have neither a cancer-type nor a risk head: those columns are empty');
    for (const n of notes) log(`note: ${n}`);

    const profiles = samples.map((s) => s.profile);
    const predictions = await predictAll(runtime, profiles);
    let restored: Awaited<ReturnType<typeof restore>> | null = null;
    if (queries.length > 0) {
      restored = await restore(
        runtime.predictor,
        stats,
        profiles,
        queries.map((q) => q.ensemblId),
        { unit: 'log2cpm', missing: 'omit' },
      );
    }

    const written = writeOutputs(outDir, samples, predictions, restored, queries, runtime);

    const typed = predictions.map((p) => p.cancerType);
    const flagged = typed.filter((t) => t?.outOfDistribution).length;
    const predictedTypes: Record<string, number> = {};
    for (const t of typed)
      if (t?.predictedType) predictedTypes[t.predictedType] = (predictedTypes[t.predictedType] ?? 0) + 1;
    const headsId = runtime.headServer?.heads.id ?? null;
    const noInput = predictions.filter((p) => p.inputGenes === 0).length;
    const result = {
      model: modelDir,
      heads: headsId,
      out: outDir,
      written,
      samples: samples.length,
      files: matrices.map((m) => ({
        file: m.file,
        unit: m.unit,
        samples: m.samples.length,
        genes: m.genes.length,
        unmapped: m.unmapped.length,
      })),
      flagged,
      predictedTypes,
      samplesWithoutInput: noInput,
      notes: [...skipped, ...notes],
      warnings,
      predictions: samples.map((s, i) => {
        const p = predictions[i]!;
        return {
          sample: s.sample,
          file: s.file,
          inputGenes: p.inputGenes,
          panelMatched: p.heads.panelMatched,
          predictedType: p.cancerType?.predictedType ?? null,
          probability: p.cancerType?.probability ?? null,
          closestType: p.cancerType?.closestType ?? null,
          novelty: p.cancerType?.novelty ?? null,
          outOfDistribution: p.cancerType?.outOfDistribution ?? null,
          risk: p.risk ? { score: p.risk.score, trainingPercentile: p.risk.trainingPercentile } : null,
        };
      }),
    };
    report(flags, result, () => [
      `${samples.length} samples read from ${matrices.length} file(s); model ${modelDir}; heads ${headsId ?? 'none'}`,
      ...(runtime.headServer
        ? [
            `predicted types: ${
              Object.entries(predictedTypes)
                .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
                .map(([t, n]) => `${t} ${n}`)
                .join(', ') || 'none'
            }; flagged as unknown (out of distribution): ${flagged}`,
          ]
        : ['cancer type and risk: not predicted (the checkpoint has no heads)']),
      ...(noInput > 0 ? [`${noInput} sample(s) had no input gene the model knows: answers empty`] : []),
      `written to ${outDir}: ${written.join(', ')}`,
    ]);
  } finally {
    await runtime.close();
  }
}

/** The parsed matrices of `target`, and the files of a directory that were left out (with why). */
async function readInputs(
  target: string,
  flags: Flags,
): Promise<{ matrices: ParsedMatrix[]; skipped: string[] }> {
  const unitOk = (file: string, unit: ExpressionUnit) => {
    if (!MODEL_UNITS.has(unit)) throw unitError(file, unit);
  };
  if (flags.sampleSheet !== undefined) {
    if (flags.unit !== undefined) unitOk(target, flags.unit);
    return { matrices: await parseGdc(target, flags.sampleSheet, { units: ['RAW_COUNT'] }), skipped: [] };
  }
  const isDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
  const files = dataFiles(target);
  const guesses = await Promise.all(files.map((f) => sniffFile(f)));
  if (isDir) {
    const sheet = files.find((_, i) => guesses[i]!.format === 'gdc-sample-sheet');
    if (sheet !== undefined) {
      // A GDC download folder with its sample sheet beside the per-sample files.
      if (flags.unit !== undefined) unitOk(target, flags.unit);
      await parseGdcSampleSheet(sheet);
      return { matrices: await parseGdc(target, sheet, { units: ['RAW_COUNT'] }), skipped: [] };
    }
  }
  const matrices: ParsedMatrix[] = [];
  const skipped: string[] = [];
  for (const [i, file] of files.entries()) {
    const guess = guesses[i]!;
    if (isDir && guess.format === 'clinical') {
      skipped.push(`${file}: skipped (${guess.reason}: a clinical table, not expression)`);
      continue;
    }
    if (guess.format === 'gdc-star' || guess.format === 'gdc-sample-sheet')
      throw new InputError({
        file,
        problem: `this is ${guess.format === 'gdc-star' ? 'a GDC per-sample STAR gene-count file' : 'a GDC sample sheet'} (${guess.reason})`,
        fix: 'give the GDC download folder with `--sample-sheet <gdc_sample_sheet.tsv>` (or put the sample sheet in the folder)',
      });
    const unit = flags.unit ?? (guess.format === 'xena' ? 'LOG2_COUNT_PLUS1' : 'RAW_COUNT');
    unitOk(file, unit);
    matrices.push(
      guess.format === 'xena' || unit !== 'RAW_COUNT'
        ? await parseXena(file, { unit })
        : await parseCountsMatrix(file, { unit }),
    );
  }
  if (matrices.length === 0)
    throw new InputError({
      file: target,
      problem: 'the directory holds no expression matrices (only clinical tables)',
      fix: 'point at a counts matrix, a Xena matrix or a GDC download folder',
    });
  return { matrices, skipped };
}

function unitError(file: string, unit: ExpressionUnit): InputError {
  const why =
    unit === 'LOG2_OTHER'
      ? 'log2 values of an unknown transform (e.g. centred or log2(x + 0.001))'
      : unit.startsWith('LOG2_')
        ? `log2 of ${unit.includes('TPM') ? 'TPM' : 'FPKM'} values, which are normalised by gene length`
        : `${unit} values, which are normalised by gene length${unit === 'FPKM_UQ' ? ' and the upper quartile' : ''}`;
  return new InputError({
    file,
    problem: `GexBERT reads log2(CPM + 1) computed from read counts over the whole profile, and ${unit} holds ${why}: they cannot be turned into CPM faithfully`,
    fix: 'give the raw read counts (a counts matrix, the unstranded column of GDC STAR files, or a Xena htseq_counts matrix with --unit LOG2_COUNT_PLUS1)',
  });
}

/**
 * The samples of a matrix as model input, as sampleProfiles builds them for stored samples: log2(CPM + 1)
 * with the library size over the whole profile, then the vocabulary genes (only the panel's, with a panel).
 */
export function sampleInputs(
  m: ParsedMatrix,
  stats: NormStats,
  panel: Set<string> | null = null,
): ReadSample[] {
  const G = m.genes.length;
  const geneIndex = new Map<string, number>();
  m.genes.forEach((g, i) => {
    geneIndex.set(g.ensemblId, i);
  });
  const at = Int32Array.from(stats.genes, (g) => (panel && !panel.has(g) ? -1 : (geneIndex.get(g) ?? -1)));
  return m.samples.map((header, s) => {
    const counts = new Float32Array(G);
    if (m.unit === 'RAW_COUNT') for (let g = 0; g < G; g++) counts[g] = m.rows[g]![s]!;
    else for (let g = 0; g < G; g++) counts[g] = 2 ** m.rows[g]![s]! - 1; // log2(count + 1) -> count
    const log2cpm = toLog2Cpm(counts, 'counts'); // every gene's, for the measured values written beside
    return {
      sample: header.aliquotBarcode,
      file: m.file,
      profile: countsInput(stats, counts, at),
      log2cpm,
      geneIndex,
    };
  });
}

/** The heads' answers (embeddings only, when the checkpoint has no heads), in chunks with progress. */
async function predictAll(runtime: ModelRuntime, profiles: Profile[]): Promise<SamplePrediction[]> {
  const bar = progress('predict', 'samples');
  const out: SamplePrediction[] = [];
  const chunk = 64;
  try {
    bar.update(0, profiles.length);
    for (let i = 0; i < profiles.length; i += chunk) {
      const part = profiles.slice(i, i + chunk);
      if (runtime.headServer) out.push(...(await runtime.headServer.predict(part)));
      else {
        const { embeddings, reports } = await embed(runtime.predictor, runtime.stats, part, {
          missing: 'omit',
        });
        embeddings.forEach((embedding, j) => {
          out.push({
            embedding,
            inputGenes: reports[j]!.inputGenes,
            heads: { id: '', inputGenes: 0, panelMatched: false },
            cancerType: null,
            risk: null,
          });
        });
      }
      bar.update(out.length, profiles.length);
    }
  } finally {
    bar.stop();
  }
  return out;
}

interface ResolvedName {
  label: string;
  ensemblId: string;
  symbol: string | null;
}

/** Comma-separated Ensembl IDs or HGNC symbols, resolved with the GENCODE v36 reference the ingest uses. */
function resolveGeneList(option: string, list: string): ResolvedName[] {
  const reference = geneReference();
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0)
    throw new Error(`${option}: no genes given (comma-separated Ensembl IDs or symbols)`);
  const out: ResolvedName[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const id = parseEnsemblId(name);
    let gene = id ? reference.byId(id.ensemblId) : undefined;
    if (id && !gene) gene = { ensemblId: id.ensemblId, version: id.version, symbol: null, geneType: null };
    if (!id) {
      const match = reference.lookupSymbol(name);
      if (match.kind === 'ambiguous')
        throw new Error(
          `${option}: the symbol ${name} names ${match.candidates.length} genes (${match.candidates
            .slice(0, 3)
            .map((g) => g.ensemblId)
            .join(', ')}): give the Ensembl ID`,
        );
      if (match.kind === 'none')
        throw new Error(
          `${option}: ${name} is neither an Ensembl gene ID nor an HGNC symbol GENCODE v36 knows: check the spelling or give the Ensembl ID`,
        );
      gene = match.gene;
    }
    if (seen.has(gene!.ensemblId)) continue;
    seen.add(gene!.ensemblId);
    out.push({ label: name, ensemblId: gene!.ensemblId, symbol: gene!.symbol });
  }
  return out;
}

/** The output folder must be new, empty, or one this command wrote (only its files): it is replaced whole. */
function checkOutDir(outDir: string): void {
  if (!fs.existsSync(outDir)) return;
  if (!fs.statSync(outDir).isDirectory())
    throw new Error(`--out ${outDir} is a file: give a folder (it is created)`);
  const foreign = fs.readdirSync(outDir).filter((f) => !OUTPUT_FILES.includes(f));
  if (foreign.length > 0)
    throw new Error(
      `--out ${outDir} holds other files (${foreign.slice(0, 3).join(', ')}): give a new or empty folder (predict replaces its folder whole)`,
    );
}

/** 6 significant digits, shortest form; empty for a missing value. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '';
  return String(Number(x.toPrecision(6)));
}

const tsvLine = (cells: readonly string[]) => `${cells.join('\t')}\n`;

/** Writes every file into a fresh folder beside `outDir`, then swaps it into place. */
function writeOutputs(
  outDir: string,
  samples: ReadSample[],
  predictions: SamplePrediction[],
  restored: Awaited<ReturnType<typeof restore>> | null,
  queries: ResolvedName[],
  runtime: ModelRuntime,
): string[] {
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const tmp = fs.mkdtempSync(`${outDir}.partial-`);
  try {
    const predictionLines = [tsvLine(PREDICTION_COLUMNS)];
    samples.forEach((s, i) => {
      const p = predictions[i]!;
      const t = p.cancerType;
      predictionLines.push(
        tsvLine([
          s.sample,
          t?.predictedType ?? '',
          formatNumber(t?.probability),
          t?.closestType ?? '',
          formatNumber(t?.novelty),
          t ? String(t.outOfDistribution) : '',
          formatNumber(p.risk?.score),
        ]),
      );
    });
    fs.writeFileSync(path.join(tmp, 'predictions.tsv'), predictionLines.join(''));

    const width = predictions[0]?.embedding.length ?? runtime.width;
    const embeddingLines = [tsvLine(['sample', ...Array.from({ length: width }, (_, d) => `dim_${d + 1}`)])];
    samples.forEach((s, i) => {
      embeddingLines.push(tsvLine([s.sample, ...Array.from(predictions[i]!.embedding, formatNumber)]));
    });
    fs.writeFileSync(path.join(tmp, 'embeddings.tsv'), embeddingLines.join(''));

    const written = ['predictions.tsv', 'embeddings.tsv'];
    if (restored) {
      const vocabulary = vocabularyIndex(runtime.stats);
      const symbols = new Map(queries.map((q) => [q.ensemblId, q.symbol ?? '']));
      const lines = [tsvLine(RESTORED_COLUMNS)];
      samples.forEach((s, i) => {
        const values = restored.values[i]!;
        const inputGenes = restored.reports[i]!.inputGenes;
        restored.genes.forEach((gene, q) => {
          const value = values[q]!;
          const interval = runtime.headServer?.interval(vocabulary.get(gene)!, value, inputGenes) ?? null;
          const g = s.geneIndex.get(gene);
          lines.push(
            tsvLine([
              s.sample,
              gene,
              symbols.get(gene) ?? '',
              formatNumber(value),
              formatNumber(interval?.lower),
              formatNumber(interval?.upper),
              g === undefined ? '' : formatNumber(s.log2cpm[g]),
            ]),
          );
        });
      });
      fs.writeFileSync(path.join(tmp, 'restored.tsv'), lines.join(''));
      written.push('restored.tsv');
    }

    let old: string | null = null;
    if (fs.existsSync(outDir)) {
      old = `${tmp}.old`;
      fs.renameSync(outDir, old);
    }
    fs.renameSync(tmp, outDir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
    return written;
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}
