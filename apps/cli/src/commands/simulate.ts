// gexbert simulate: TCGA-like synthetic cohorts in the ingest formats, with their ground truth.
import { writeSimulatedCohort } from '@gexbert/core/demo';
import type { Command } from 'commander';
import { fail, type OutputOptions, report } from '../output.ts';
import { progress } from '../progress.ts';

interface Flags extends OutputOptions {
  samples: string;
  genes: string;
  types: string;
  seed: string;
  out: string;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'write a synthetic cohort (count matrices per cancer type, clinical table, truth.json) to --out',
    )
    .requiredOption('--samples <n>', 'number of samples')
    .requiredOption('--genes <g>', 'number of genes')
    .option('--types <t>', 'number of cancer types', '4')
    .option('--seed <s>', 'random seed (same seed, same files)', '1')
    .requiredOption('--out <dir>', 'output directory')
    .option('--json', 'print the result as JSON')
    .action(async (flags: Flags) => {
      try {
        const bar = progress('simulate', 'genes');
        const written = await writeSimulatedCohort(
          {
            samples: wholeNumber(flags.samples, '--samples', 1),
            genes: wholeNumber(flags.genes, '--genes', 1),
            types: wholeNumber(flags.types, '--types', 1),
            seed: wholeNumber(flags.seed, '--seed', 0),
          },
          flags.out,
          (done, total) => bar.update(done, total),
        );
        bar.stop();
        report(flags, { ...written }, () => [
          `wrote ${written.files.length} files to ${flags.out}`,
          ...written.files,
        ]);
      } catch (error) {
        fail(flags, error);
      }
    });
}

function wholeNumber(text: string, flag: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${flag} must be a whole number of at least ${min} (got "${text}")`);
  return n;
}
