// gexbert train: pretrain GexBERT on raw counts (count files or a cohort) into a checkpoint folder.
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@gexbert/core/config';
import { isSimulatedSource } from '@gexbert/core/ingest/simulated';
import { openPlatform } from '@gexbert/core/platform';
import {
  type CountsCorpus,
  corpusFromCohort,
  corpusFromFiles,
  proteinCodingGenes,
} from '@gexbert/core/training/corpus';
import { type RsemCorpus, rsemCorpusFromTable } from '@gexbert/core/training/rsemCorpus';
import type { ResumeInfo } from '@gexbert/model/training';
import { trainCheckpoint } from '@gexbert/model/training';
import type { Command } from 'commander';
import { fail, type OutputOptions, report } from '../output.ts';
import { progress } from '../progress.ts';

interface Flags extends OutputOptions {
  data: string;
  out: string;
  config?: string;
  seed?: string;
  maxSteps?: string;
  genes: string;
  resume?: boolean;
  includeSimulated?: boolean;
  rsemTable?: string;
  threads?: string;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'pretrain GexBERT on raw counts and write a checkpoint (config, weights, model.onnx, log, card)',
    )
    .requiredOption(
      '--data <dir|cohort>',
      'count files (a file or directory), or the name of a cohort in the database',
    )
    .requiredOption('--out <dir>', 'the checkpoint folder to write')
    .option(
      '--rsem-table <dir|file>',
      'also pretrain on an RSEM expression table (as `gexbert ingest table` reads it; its genes join the vocabulary, normalised with their own RSEM statistics)',
    )
    .option('--config <file>', 'JSON overrides of the recipe (width, encoderLayers, epochs, lr, ...)')
    .option('--seed <s>', 'random seed (same seed, same model)')
    .option('--genes <k>', 'vocabulary size: the most variable protein-coding genes', '1000')
    .option('--max-steps <n>', 'stop after this many optimiser steps (quick runs)')
    .option(
      '--threads <n>',
      "onnxruntime's intra-op threads (default: all cores). Only 1 makes runs bit-for-bit repeatable, resumed or not: on several threads two uninterrupted runs of one command already differ in the last bits (onnxruntime splits its kernels' sums differently from run to run)",
    )
    .option(
      '--resume',
      'keep a resume state in <out>/.resume (every 50 steps) and continue from it if present; same data and settings needed',
    )
    .option(
      '--include-simulated',
      "train on simulated samples too (a cohort's, or files from `gexbert simulate`; refused by default)",
    )
    .option('--json', 'print the result as JSON')
    .action(async (flags: Flags) => {
      try {
        const engine = loadConfig().trainEngine; // GEXBERT_TRAIN_ENGINE, checked before any work
        const corpus = await loadCorpus(flags.data, flags.includeSimulated === true);
        const rsem = flags.rsemTable
          ? await loadRsem(flags.rsemTable, flags.includeSimulated === true)
          : undefined;
        const overrides = flags.config ? JSON.parse(fs.readFileSync(flags.config, 'utf8')) : {};
        const bar = progress('train', 'steps');
        let lastLoss = Number.NaN;
        const result = await trainCheckpoint(corpus, {
          out: flags.out,
          vocabularySize: Number(flags.genes),
          allowedGenes: proteinCodingGenes(),
          config: overrides,
          engine,
          ...(rsem ? { rsem } : {}),
          dataDescription: `Trained on ${corpus.description}${rsem ? ` and ${rsem.description}` : ''}.`,
          ...(flags.seed === undefined ? {} : { seed: Number(flags.seed) }),
          ...(flags.maxSteps === undefined ? {} : { maxSteps: Number(flags.maxSteps) }),
          ...(flags.threads === undefined
            ? {}
            : { engineThreads: positiveInteger(flags.threads, '--threads') }),
          ...(flags.resume
            ? {
                resumeDir: path.join(flags.out, '.resume'),
                onResume: (from: ResumeInfo) =>
                  process.stderr.write(
                    `resumed from step ${from.step} of ${from.totalSteps} (epoch ${from.epoch}), state in ${from.dir}\n`,
                  ),
              }
            : {}),
          onProgress: (p) => {
            lastLoss = p.loss;
            bar.update(
              p.step,
              p.totalSteps,
              `loss ${p.loss.toFixed(4)} | ${p.samplesPerSec.toFixed(0)} samples/s`,
            );
          },
        });
        bar.stop();
        report(flags, { ...result }, () => [
          `checkpoint written to ${result.out}: ${result.vocabulary} genes, ${result.metrics.samples} samples, last loss ${lastLoss.toFixed(4)}${result.metrics.resumedFromStep === undefined ? '' : ` (resumed from step ${result.metrics.resumedFromStep})`}`,
          `metrics: ${JSON.stringify(result.metrics)}`,
        ]);
      } catch (error) {
        fail(flags, error);
      }
    });
}

/** Refuses a folder written by `gexbert simulate` unless simulated data were asked for. */
function refuseSimulated(data: string, includeSimulated: boolean): void {
  if (isSimulatedSource(data) && !includeSimulated)
    throw new Error(
      `${data} holds simulated data (a SIMULATED marker from gexbert simulate): a model meant for real samples is trained on real data only; pass --include-simulated for a demo model`,
    );
}

function loadRsem(target: string, includeSimulated: boolean): Promise<RsemCorpus> {
  refuseSimulated(target, includeSimulated);
  return rsemCorpusFromTable(target);
}

/** A path on disk is read as count files; anything else names a cohort in the database. */
async function loadCorpus(data: string, includeSimulated: boolean): Promise<CountsCorpus> {
  if (fs.existsSync(data)) {
    refuseSimulated(data, includeSimulated);
    return corpusFromFiles(data);
  }
  const platform = await openPlatform();
  try {
    return await corpusFromCohort(platform.pool, data, { includeSimulated });
  } finally {
    await platform.close();
  }
}

/** A whole number of at least 1 given on the command line, or one clear error naming the flag. */
function positiveInteger(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} takes a whole number of at least 1, not "${text}"`);
  return n;
}
