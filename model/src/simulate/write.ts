// Writes a simulated cohort in the platform's ingest formats:
//   <TYPE>_Counts.tsv.gz  per cancer type, the layout of the real TCGA_<TYPE>_Counts.exp.gz files: tab
//                         separated, header = empty cell then full aliquot barcodes, one row per gene (gene ID,
//                         then integer counts), '\n' line ends. Gzip streamed gene row by gene row.
//   clinical.tsv          the pan-cancer OS table: patient, cancer_type, vital_status, days_to_death,
//                         days_to_last_followup, OS_time_days, OS_event; NA for missing.
//   genes.tsv             gene_id, symbol, gene_type (protein_coding / lncRNA for the low class), module.
//   truth.json            the ground truth (see truth.ts).
//   SIMULATED             the provenance marker (SIMULATED_MARKER): a file named exactly `SIMULATED` whose first
//                         line is `gexbert-simulated`, then the seed and options. `gexbert ingest` (services/core/src/
//                         ingest/simulated.ts) treats every data file in a folder holding this marker as simulated:
//                         its import, samples and any cohort it makes are stored with simulated = true, and such
//                         samples never reach training, validation, model gates or reference sets unless a run
//                         asks for them (`gexbert retrain --include-simulated`). Keep the marker with the files
//                         when copying them. The barcodes' project code GXSM is reserved for simulated samples
//                         too, but the marker file is what ingest relies on. Barcodes depend on the seed
//                         (cohort.ts), so cohorts simulated with different seeds can be ingested side by side.
// Memory stays O(samples + one compressed chunk per type): counts are drawn one gene at a time.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { type Cohort, type CohortOptions, geneCounts, simulateCohort } from './cohort.ts';
import { truthSummary } from './truth.ts';

export interface WriteOptions {
  /** Called with (genes written, total genes) after every gene row (and once with 0 before the first). */
  onProgress?: (done: number, total: number) => void;
  /**
   * gzip level 1..9. Default 1: count text is mostly random digits, on which level 6 is ~8x slower than
   * level 1 for files only ~10% smaller (measured: 40.7 MB of counts, level 1 19.4 MB in 0.96 s, level 6
   * 17.5 MB in 7.8 s).
   */
  gzipLevel?: number;
}

export interface WrittenCohort {
  dir: string;
  counts: { type: string; path: string; samples: number }[];
  clinical: string;
  genes: string;
  truth: string;
  /** The SIMULATED provenance marker. */
  marker: string;
  /** Every file written: count matrices (type order), clinical.tsv, genes.tsv, truth.json, SIMULATED. */
  files: string[];
  /** Total bytes of all files written. */
  bytes: number;
}

export const CLINICAL_COLUMNS = [
  'patient',
  'cancer_type',
  'vital_status',
  'days_to_death',
  'days_to_last_followup',
  'OS_time_days',
  'OS_event',
] as const;

export const GENE_COLUMNS = ['gene_id', 'symbol', 'gene_type', 'module'] as const;

/** The marker file's name and the first line of its text (see the header comment). */
export const SIMULATED_MARKER = { fileName: 'SIMULATED', firstLine: 'gexbert-simulated' } as const;

function markerText(cohort: Cohort): string {
  const { seed, samples, genes, types } = cohort.options;
  return [
    SIMULATED_MARKER.firstLine,
    `seed\t${seed}`,
    `samples\t${samples}`,
    `genes\t${genes}`,
    `types\t${types}`,
    'Every sample in this folder is synthetic (written by `gexbert simulate`). Ingest marks it as simulated;',
    'it is kept out of model training and evaluation unless a retraining run passes --include-simulated.',
    '',
  ].join('\n');
}

/** Count-matrix file name of a cancer type, e.g. SIM1_Counts.tsv.gz. */
export function countsFileName(type: string): string {
  return `${type}_Counts.tsv.gz`;
}

const TAB = 9;
const NEWLINE = 10;
const ZERO = 48;
const CHUNK_BYTES = 1 << 18; // compressed-stream input chunk
const MAX_QUEUED_BYTES = 4 * CHUNK_BYTES; // per file, before waiting for gzip to catch up

/** Writes the decimal digits of v (integer 0 <= v < 2^32) at pos; returns the new position. */
function putUint(buf: Buffer, pos: number, value: number): number {
  let v = value;
  if (v < 10) {
    buf[pos] = ZERO + v;
    return pos + 1;
  }
  const len =
    v < 100
      ? 2
      : v < 1000
        ? 3
        : v < 10000
          ? 4
          : v < 100000
            ? 5
            : v < 1000000
              ? 6
              : v < 10000000
                ? 7
                : v < 100000000
                  ? 8
                  : v < 1000000000
                    ? 9
                    : 10;
  let p = pos + len;
  while (v >= 10) {
    const q = Math.floor(v / 10);
    buf[--p] = ZERO + (v - q * 10);
    v = q;
  }
  buf[--p] = ZERO + v;
  return pos + len;
}

/** A gzip file fed with Buffer chunks filled in place; waits when too much input is queued. */
class GzipFile {
  private readonly gzip: Gzip;
  private readonly done: Promise<void>;
  buf: Buffer;
  pos = 0;

  constructor(path: string, level: number) {
    this.gzip = createGzip({ level });
    this.done = pipeline(this.gzip, createWriteStream(path));
    this.done.catch(() => {}); // surfaced by flush() / close()
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
  }

  /** Makes room for `bytes` more bytes in `buf` at `pos`. */
  async reserve(bytes: number): Promise<void> {
    if (this.pos + bytes <= this.buf.length) return;
    await this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  private async flush(): Promise<void> {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    this.gzip.write(chunk);
    if (this.gzip.writableLength > MAX_QUEUED_BYTES) {
      await Promise.race([
        once(this.gzip, 'drain'),
        this.done.then(() => Promise.reject(new Error('closed'))),
      ]);
    }
  }

  async writeText(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    await this.reserve(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  async close(): Promise<void> {
    await this.flush();
    this.gzip.end();
    await this.done;
  }

  abort(): void {
    this.gzip.destroy();
  }
}

function clinicalTsv(cohort: Cohort): string {
  const { patients, typeNames } = cohort;
  const lines = [CLINICAL_COLUMNS.join('\t')];
  for (let p = 0; p < patients.ids.length; p++) {
    const dead = patients.event[p] === 1;
    const time = patients.missing[p] === 1 ? 'NA' : String(patients.time[p]);
    lines.push(
      [
        patients.ids[p],
        typeNames[patients.type[p]!],
        dead ? 'Dead' : 'Alive',
        dead ? time : 'NA',
        dead ? 'NA' : time,
        time,
        dead ? '1' : '0',
      ].join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}

function genesTsv(cohort: Cohort): string {
  const { genes, truth } = cohort;
  const lines = [GENE_COLUMNS.join('\t')];
  for (let g = 0; g < genes.ids.length; g++) {
    const m = genes.module[g]!;
    lines.push(
      [
        genes.ids[g],
        genes.symbols[g],
        genes.lowExpressed[g] === 1 ? 'lncRNA' : 'protein_coding',
        m >= 0 ? truth.modules[m]!.name : 'NA',
      ].join('\t'),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the cohort's files into `dir` (created if missing; existing files of the same names are replaced).
 * Count rows are drawn with `geneCounts`, so the files hold exactly what `simulateCounts` returns.
 */
export async function writeCohort(
  cohort: Cohort,
  dir: string,
  options: WriteOptions = {},
): Promise<WrittenCohort> {
  const level = options.gzipLevel ?? 1;
  if (!Number.isInteger(level) || level < 1 || level > 9) throw new RangeError(`gzipLevel must be 1..9`);
  const { samples, typeNames, genes } = cohort;
  const N = samples.barcodes.length;
  const G = genes.ids.length;
  const T = typeNames.length;
  await mkdir(dir, { recursive: true });
  // The marker first, so a folder with any of the data files in it is already marked.
  const marker = join(dir, SIMULATED_MARKER.fileName);
  await writeFile(marker, markerText(cohort));

  const clinical = join(dir, 'clinical.tsv');
  const genesPath = join(dir, 'genes.tsv');
  const truth = join(dir, 'truth.json');
  await writeFile(clinical, clinicalTsv(cohort));
  await writeFile(genesPath, genesTsv(cohort));
  await writeFile(truth, `${JSON.stringify(truthSummary(cohort))}\n`);

  const counts = typeNames.map((type, t) => ({
    type,
    path: join(dir, countsFileName(type)),
    samples: samples.typeOffsets[t + 1]! - samples.typeOffsets[t]!,
  }));
  const files = counts.map((c) => new GzipFile(c.path, level));
  try {
    for (let t = 0; t < T; t++) {
      const from = samples.typeOffsets[t]!;
      const to = samples.typeOffsets[t + 1]!;
      await files[t]!.writeText(`\t${samples.barcodes.slice(from, to).join('\t')}\n`);
    }
    options.onProgress?.(0, G);
    const row = new Uint32Array(N);
    const scratch = new Float64Array(N);
    for (let g = 0; g < G; g++) {
      geneCounts(cohort, g, row, scratch);
      const id = Buffer.from(genes.ids[g]!, 'utf8');
      for (let t = 0; t < T; t++) {
        const from = samples.typeOffsets[t]!;
        const to = samples.typeOffsets[t + 1]!;
        const file = files[t]!;
        await file.reserve(id.length + 11 * (to - from) + 1);
        const buf = file.buf;
        let pos = file.pos + id.copy(buf, file.pos);
        for (let i = from; i < to; i++) {
          buf[pos++] = TAB;
          pos = putUint(buf, pos, row[i]!);
        }
        buf[pos++] = NEWLINE;
        file.pos = pos;
      }
      options.onProgress?.(g + 1, G);
    }
    for (const file of files) await file.close();
  } catch (error) {
    for (const file of files) file.abort();
    throw error;
  }

  const all = [...counts.map((c) => c.path), clinical, genesPath, truth, marker];
  let bytes = 0;
  for (const path of all) bytes += (await stat(path)).size;
  return { dir, counts, clinical, genes: genesPath, truth, marker, files: all, bytes };
}

/** simulateCohort + writeCohort: what `gexbert simulate` runs. */
export async function simulateToDirectory(
  options: CohortOptions,
  dir: string,
  writeOptions: WriteOptions = {},
): Promise<{ cohort: Cohort; written: WrittenCohort }> {
  const cohort = simulateCohort(options);
  const written = await writeCohort(cohort, dir, writeOptions);
  return { cohort, written };
}
