// gexbert ingest counts|gdc|xena|clinical

import { EXPRESSION_UNITS } from '@gexbert/core/formats/types';
import type { FileImport } from '@gexbert/core/ingest/index';
import { ingestClinical, ingestCounts, ingestGdc, ingestXena } from '@gexbert/core/ingest/index';
import { type Command, Option } from 'commander';
import type { OutputOptions } from '../output.ts';
import { report } from '../output.ts';
import { progress } from '../progress.ts';
import { withPlatform } from '../session.ts';

interface MatrixFlags extends OutputOptions {
  cohort?: string;
  cancerType?: string;
  unit?: string;
  allowUnknownGenes?: boolean;
}

export function registerIngest(program: Command): void {
  const ingest = program
    .command('ingest')
    .description('load data files into the database (each command is all-or-nothing)');

  ingest
    .command('counts <path>')
    .description('genes x samples count matrices (a file or a directory; gzip or plain; TSV or CSV)')
    .option('--cohort <name>', 'add the samples to this cohort (created if new)')
    .option('--cancer-type <type>', 'cancer type, when the file name does not say TCGA_<TYPE>_')
    .addOption(
      new Option('--unit <unit>', 'unit of the values').choices(EXPRESSION_UNITS).default('RAW_COUNT'),
    )
    .option('--allow-unknown-genes', 'keep gene IDs that GENCODE v36 does not know (e.g. simulated data)')
    .option('--json', 'print the result as JSON')
    .action((path: string, flags: MatrixFlags) =>
      runMatrixIngest(flags, 'counts', (pool, onProgress) =>
        ingestCounts(pool, path, {
          cohort: flags.cohort,
          cancerType: flags.cancerType,
          unit: flags.unit as never,
          allowUnknownGenes: flags.allowUnknownGenes,
          onProgress,
        }),
      ),
    );

  ingest
    .command('gdc <dir>')
    .description('GDC STAR gene-count files (raw counts, TPM, FPKM, FPKM-UQ) with their sample sheet')
    .requiredOption('--sample-sheet <tsv>', 'the GDC sample sheet mapping file names to cases and samples')
    .option('--cohort <name>', 'add the samples to this cohort (created if new)')
    .option('--json', 'print the result as JSON')
    .action((dir: string, flags: MatrixFlags & { sampleSheet: string }) =>
      runMatrixIngest(flags, 'gdc', (pool, onProgress) =>
        ingestGdc(pool, dir, flags.sampleSheet, { cohort: flags.cohort, onProgress }),
      ),
    );

  ingest
    .command('xena <file>')
    .description('a UCSC Xena genomic matrix (genes x samples, log2(x+1), NA or blank for missing)')
    .addOption(
      new Option('--unit <unit>', 'unit of the values').choices(EXPRESSION_UNITS).default('LOG2_COUNT_PLUS1'),
    )
    .option('--cohort <name>', 'add the samples to this cohort (created if new)')
    .option('--json', 'print the result as JSON')
    .action((file: string, flags: MatrixFlags) =>
      runMatrixIngest(flags, 'xena', (pool, onProgress) =>
        ingestXena(pool, file, { cohort: flags.cohort, unit: flags.unit as never, onProgress }),
      ),
    );

  ingest
    .command('clinical <file>')
    .description(
      'survival and clinical fields (Xena OS/OS.time, cBioPortal OS_STATUS/OS_MONTHS, TCGA pan-cancer OS)',
    )
    .addOption(
      new Option('--time-unit <unit>', 'unit of the survival times, when the columns do not say').choices([
        'days',
        'months',
      ]),
    )
    .option('--json', 'print the result as JSON')
    .action((file: string, flags: OutputOptions & { timeUnit?: 'days' | 'months' }) =>
      withPlatform(flags, async ({ pool }) => {
        const result = await ingestClinical(pool, file, { timeUnit: flags.timeUnit });
        report(flags, { ...result }, () => [
          result.unchanged
            ? `${file}: already imported as import #${result.id}; nothing changed`
            : `${file}: import #${result.id}: survival stored for ${result.matched} patients${result.simulated ? ' (simulated: SIMULATED marker found)' : ''}`,
          ...(result.warnings ?? []).map((w) => `warning: ${w}`),
        ]);
      }),
    );
}

type Run = (
  pool: import('pg').Pool,
  onProgress: (done: number, total: number) => void,
) => Promise<FileImport[]>;

function runMatrixIngest(flags: MatrixFlags, label: string, run: Run): Promise<void> {
  return withPlatform(flags, async ({ pool }) => {
    const bar = progress(`ingest ${label}`, 'values');
    let results: FileImport[];
    try {
      results = await run(pool, (done, total) => bar.update(done, total));
    } finally {
      bar.stop();
    }
    report(flags, { imports: results }, () =>
      results.flatMap((r) => [
        r.unchanged
          ? `${r.file}: already imported as import #${r.id}; nothing changed`
          : `${r.file}: import #${r.id}: ${r.written} samples x ${r.genes} genes stored` +
            (r.skipped ? `, ${r.skipped} already stored with the same values` : '') +
            (r.unmapped ? `, ${r.unmapped} unmapped gene IDs dropped` : '') +
            (r.simulated ? ' (simulated: SIMULATED marker found; kept out of training)' : ''),
        ...(r.warnings ?? []).map((w) => `warning: ${w}`),
      ]),
    );
  });
}
