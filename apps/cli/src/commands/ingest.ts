// gexbert ingest counts|gdc|xena|table|clinical

import { EXPRESSION_UNITS } from '@gexbert/core/formats/types';
import type { FileImport } from '@gexbert/core/ingest/index';
import {
  ingestClinical,
  ingestCounts,
  ingestGdc,
  ingestTable,
  ingestXena,
  type TableReport,
} from '@gexbert/core/ingest/index';
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
    .command('table <file>')
    .description(
      'an expression table as people have it: samples as rows or genes as rows (detected), attribute columns, Entrez IDs or symbols',
    )
    .addOption(
      new Option(
        '--unit <unit>',
        'unit of the values (default: RAW_COUNT when they are whole numbers)',
      ).choices(EXPRESSION_UNITS),
    )
    .option(
      '--samples <file>',
      'per-sample table (sample, patient, cancer_type, sample_type_code, ...); default: <name>_samples.tsv beside <name>_expression.tsv.gz',
    )
    .option('--cohort <name>', 'add the samples to this cohort (created if new)')
    .option(
      '--cancer-type <type>',
      'cancer type of samples that the table and sample table say nothing about',
    )
    .addOption(
      new Option(
        '--samples-as-rows',
        'each row is a sample, genes are the columns (default: detected)',
      ).conflicts('genesAsRows'),
    )
    .option('--genes-as-rows', 'each row is a gene, samples are the columns (default: detected)')
    .option(
      '--attribute-columns <names>',
      'comma-separated columns holding sample attributes, not genes (default: detected by name)',
    )
    .addOption(
      new Option('--time-unit <unit>', 'unit of a survival time column whose name does not say').choices([
        'days',
        'months',
      ]),
    )
    .option('--json', 'print the result as JSON')
    .action((file: string, flags: TableFlags) => {
      return runMatrixIngest(flags, 'table', (pool, onProgress) =>
        ingestTable(pool, file, {
          cohort: flags.cohort,
          cancerType: flags.cancerType,
          unit: flags.unit as never,
          samples: flags.samples,
          orientation: flags.samplesAsRows
            ? 'samples-as-rows'
            : flags.genesAsRows
              ? 'genes-as-rows'
              : undefined,
          attributeColumns: flags.attributeColumns
            ?.split(',')
            .map((c) => c.trim())
            .filter((c) => c !== ''),
          timeUnit: flags.timeUnit,
          onProgress,
        }),
      );
    });

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

interface TableFlags extends MatrixFlags {
  samples?: string;
  samplesAsRows?: boolean;
  genesAsRows?: boolean;
  attributeColumns?: string;
  timeUnit?: 'days' | 'months';
}

/** The lines `ingest table` adds to its report: how the table was read. */
export function tableReportLines(t: TableReport): string[] {
  const types = Object.entries(t.cancerTypes).sort((a, b) => b[1] - a[1]);
  return [
    `  orientation: ${t.orientation} (${t.orientationFrom === 'forced' ? 'as given' : 'detected from the gene identifiers'})`,
    `  unit: ${t.unit}${t.unitDetected ? ' (detected: whole numbers)' : ''}`,
    `  genes: ${t.genesMapped} of ${t.geneIds} identifiers mapped to GENCODE v36${t.entrezMapped ? ` (${t.entrezMapped} NCBI Entrez Gene IDs)` : ''}${t.unmappedIds.length ? `; unmapped: ${t.unmappedIds.slice(0, 10).join(', ')}${t.unmappedIds.length > 10 ? ', ...' : ''}` : ''}`,
    `  attribute columns: ${t.attributeColumns.length ? `${t.attributeColumns.join(', ')} (${t.attributesFrom === 'forced' ? 'as given' : 'detected by name'})` : 'none'}${t.clinicalImportId !== null ? `; stored for ${t.clinicalPatients} patients (import #${t.clinicalImportId})` : ''}`,
    `  samples table: ${t.sidecar === null ? 'none' : `${t.sidecar}${t.sidecarFound ? ' (found beside the table)' : ''}`}`,
    `  cancer types: ${types.length} (${types
      .slice(0, 8)
      .map(([type, n]) => `${type} ${n}`)
      .join(', ')}${types.length > 8 ? ', ...' : ''})`,
  ];
}

/**
 * Where the stored samples can be seen: the cohort named, or, without --cohort, that they are in none (the
 * portal lists cohorts, so samples in none are easy to miss) and how to make one.
 */
export function cohortLine(cohort: string | undefined, results: FileImport[]): string[] {
  const written = results.reduce((n, r) => n + (r.unchanged ? 0 : r.written), 0);
  if (written === 0) return [];
  if (cohort) return [`cohort "${cohort}": holds the samples of this ingest`];
  return [
    `note: the ${written} stored samples are in no cohort, so the portal lists them nowhere yet: build a cohort of them from filters in the portal (Cohorts, as a curator) or with the createCohort mutation, or name one at ingest with --cohort NAME`,
  ];
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
      results
        .flatMap((r) => [
          r.unchanged
            ? `${r.file}: already imported as import #${r.id}; nothing changed` +
              (flags.cohort
                ? ` (cohort "${flags.cohort}" not touched: make a cohort of these samples in the portal or with createCohort)`
                : '')
            : `${r.file}: import #${r.id}: ${r.written} samples x ${r.genes} genes stored` +
              (r.skipped ? `, ${r.skipped} already stored with the same values` : '') +
              (r.unmapped ? `, ${r.unmapped} unmapped gene IDs dropped` : '') +
              (r.simulated ? ' (simulated: SIMULATED marker found; kept out of training)' : ''),
          ...(r.table ? tableReportLines(r.table) : []),
          ...(r.warnings ?? []).map((w) => `warning: ${w}`),
        ])
        .concat(cohortLine(flags.cohort, results)),
    );
  });
}
