// gexbert evaluate: the paper's three tasks (classification, survival, imputation), GexBERT vs baselines.

import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '@gexbert/core/config';
import { proteinCodingGenes } from '@gexbert/core/training/corpus';
import { describeDataset, detectDataset } from '@gexbert/model/data';
import { expectedSeconds, foldCount, runEvaluation } from '@gexbert/model/evaluate';
import type { Command } from 'commander';
import { fail, type OutputOptions, report } from '../output.ts';

interface Flags extends OutputOptions {
  train: string;
  test?: string;
  clinical?: string;
  seed?: string;
  folds?: string;
  quick?: boolean;
  out: string;
  attach?: string;
}

/** Checks that `dir` is a checkpoint folder (has config.json) before the long run starts. */
function checkAttachTarget(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`--attach ${dir}: no such directory; give the folder of a trained checkpoint`);
  }
  if (!existsSync(path.join(dir, 'config.json'))) {
    throw new Error(
      `--attach ${dir}: not a checkpoint folder (no config.json); give the folder of a trained checkpoint`,
    );
  }
}

const DATASET =
  'a folder (or file) of genes x samples count tables, or a folder with a <name>_expression.tsv.gz (samples x genes) and <name>_samples.tsv (sample, patient, cancer_type) pair';

/** Checks that each given input path exists before the long run starts. */
function checkInputs(flags: Flags): void {
  const inputs: [string, string | undefined, string][] = [
    ['--train', flags.train, DATASET],
    ['--test', flags.test, DATASET],
    ['--clinical', flags.clinical, 'the overall-survival table (patient, OS_time_days, OS_event)'],
  ];
  for (const [flag, value, what] of inputs)
    if (value !== undefined && !existsSync(value))
      throw new Error(`${flag} ${value}: no such file or folder; give ${what}`);
}

/** Copies the report files (JSON, Markdown, plots) into `<checkpoint>/evaluation/`; returns the copies. */
async function attachReport(checkpoint: string, files: string[]): Promise<string[]> {
  const target = path.join(checkpoint, 'evaluation');
  await mkdir(target, { recursive: true });
  const copies: string[] = [];
  for (const file of files) {
    const copy = path.join(target, path.basename(file));
    await copyFile(file, copy);
    copies.push(copy);
  }
  return copies;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      'train GexBERT on training samples and compare it with baselines on test samples: cancer-type classification, survival, imputation',
    )
    .requiredOption(
      '--train <dir>',
      'the training samples: count files (genes x samples TSV, .gz allowed), or a folder with <name>_expression.tsv.gz (samples x genes normalised values) and <name>_samples.tsv (sample, patient, cancer_type)',
    )
    .option(
      '--test <dir>',
      'the test samples, in the same form as --train (default: stratified cross-validation on --train; with --quick one 70/30 split)',
    )
    .option('--folds <n>', 'cross-validation folds when there is no --test (full mode)', '3')
    .option('--clinical <file>', 'overall-survival table (patient, OS_time_days, OS_event)')
    .option('--seed <s>', 'random seed', '1')
    .option('--quick', 'a short run: few training steps, fewer panels and missing rates')
    .requiredOption('--out <dir>', 'where report.json, report.md, the SVG plots and the checkpoint go')
    .option(
      '--attach <checkpoint>',
      'after a successful run, copy the report and plots into <checkpoint>/evaluation/',
    )
    .option('--json', 'print the report rows as JSON')
    .action(async (flags: Flags) => {
      try {
        const engine = loadConfig().trainEngine; // GEXBERT_TRAIN_ENGINE, checked before any work
        const quick = flags.quick ?? false;
        checkInputs(flags);
        if (flags.attach !== undefined) checkAttachTarget(flags.attach);
        const folds = Number(flags.folds ?? '3');
        if (!Number.isInteger(folds) || folds < 2)
          throw new Error(`--folds ${flags.folds}: give a whole number of folds, at least 2`);
        const nFolds = foldCount({ ...(flags.test === undefined ? {} : { test: flags.test }), quick, folds });
        const minutes = expectedSeconds(quick, nFolds) / 60;
        process.stderr.write(
          `evaluate: expected duration about ${minutes.toFixed(0)} min on an idle 2-core machine (${quick ? 'quick mode, one split' : `full mode, ${nFolds} fold${nFolds > 1 ? 's' : ''}`})\n`,
        );
        // Count tables are genome-wide (Ensembl IDs): the vocabulary is restricted to protein-coding genes. A
        // sample table's genes are an already chosen set (pancan33: 100 Entrez IDs, which the Ensembl-keyed
        // filter would all drop): every one of them is used, so no filter is passed.
        const sources = [flags.train, ...(flags.test === undefined ? [] : [flags.test])].map(detectDataset);
        for (const [i, source] of sources.entries())
          process.stderr.write(`evaluate: ${i === 0 ? '--train' : '--test'} is ${describeDataset(source)}\n`);
        const countTables = sources.every((s) => s.kind === 'count tables');
        const started = Date.now();
        const result = await runEvaluation({
          train: flags.train,
          ...(flags.test === undefined ? {} : { test: flags.test }),
          ...(flags.clinical === undefined ? {} : { clinical: flags.clinical }),
          seed: Number(flags.seed ?? '1'),
          quick,
          folds,
          out: flags.out,
          ...(countTables ? { allowedGenes: proteinCodingGenes() } : {}),
          engine,
          log: (line) =>
            process.stderr.write(`evaluate [${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`),
        });
        const attached = flags.attach === undefined ? [] : await attachReport(flags.attach, result.files);
        report(
          flags,
          { rows: result.rows, files: result.files, attached, notes: result.notes, seconds: result.seconds },
          () => [
            `report written to ${flags.out} in ${result.seconds.toFixed(0)} s: ${result.files.join(', ')}`,
            ...(attached.length > 0 ? [`attached to ${flags.attach}: ${attached.join(', ')}`] : []),
            ...result.rows.map(
              (r) =>
                `${r.task} | ${r.method} | ${r.setting} | ${r.metric} | ${r.value.toFixed(3)}${r.spread === null ? '' : ` ± ${r.spread.toFixed(3)}`}`,
            ),
          ],
        );
      } catch (error) {
        fail(flags, error);
      }
    });
}
