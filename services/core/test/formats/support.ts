// Helpers for the format tests: the shared real-data folder, temp files and InputError assertions.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { InputError } from '../../src/formats/inputError.ts';
import { sharedPath } from '../../test-support/shared.ts';

export function sharedFile(...parts: string[]): string {
  const file = sharedPath('data', ...parts);
  if (!existsSync(file)) throw new Error(`real data file missing: ${file} (set GEXBERT_SHARED_DIR)`);
  return file;
}

/** A temp directory per test file; write(name, text | Buffer, gzip?) returns the path. */
export class TempDir {
  dir = '';

  async create(): Promise<void> {
    this.dir = await mkdtemp(path.join(tmpdir(), 'gexbert-formats-'));
  }

  async remove(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  async write(name: string, content: string | Buffer, options: { gzip?: boolean } = {}): Promise<string> {
    const file = this.path(name);
    await writeFile(file, options.gzip ? gzipSync(content) : content);
    return file;
  }
}

export interface ExpectedError {
  file: string;
  line?: number;
  column?: number;
  problem?: RegExp;
  fix?: RegExp;
}

/**
 * Awaits a parse that must fail and checks the InputError: file, line, column (undefined when expected says
 * so by omission only if `column: undefined` is passed explicitly), problem and fix, and the one-line
 * `file:line[:column]: problem — fix` message.
 */
export async function expectInputError(
  run: Promise<unknown> | (() => unknown),
  expected: ExpectedError,
): Promise<InputError> {
  let caught: unknown;
  try {
    await (typeof run === 'function' ? run() : run);
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an InputError, but the parse succeeded').toBeDefined();
  if (!(caught instanceof InputError)) throw caught;
  const error = caught;
  expect(error.file).toBe(expected.file);
  if ('line' in expected) expect(error.line).toBe(expected.line);
  if ('column' in expected) expect(error.column).toBe(expected.column);
  if (expected.problem) expect(error.problem).toMatch(expected.problem);
  if (expected.fix) expect(error.fix).toMatch(expected.fix);
  expect(error.fix.length).toBeGreaterThan(10);
  expect(error.message).not.toMatch(/[\r\n]/);
  const where =
    error.line === undefined
      ? error.file
      : error.column === undefined
        ? `${error.file}:${error.line}`
        : `${error.file}:${error.line}:${error.column}`;
  expect(error.message).toBe(`${where}: ${error.problem} — ${error.fix}`);
  return error;
}

/** Real GENCODE v36 genes used by the small test files: [unversioned ID, version, symbol]. */
export const GENES: readonly [string, number, string][] = [
  ['ENSG00000141510', 18, 'TP53'],
  ['ENSG00000111640', 15, 'GAPDH'],
  ['ENSG00000075624', 17, 'ACTB'],
  ['ENSG00000146648', 19, 'EGFR'],
  ['ENSG00000136997', 21, 'MYC'],
  ['ENSG00000012048', 23, 'BRCA1'],
];

export const BARCODES: readonly string[] = [
  'TCGA-OR-A5L9-01A-11R-A29S-07',
  'TCGA-OR-A5K8-01A-11R-A29S-07',
  'TCGA-OU-A5PI-11A-12R-A29S-07',
];

/** Counts for GENES x BARCODES: distinct values so any mix-up shows. */
export const COUNTS: readonly (readonly number[])[] = GENES.map((_, g) =>
  BARCODES.map((_, s) => (g + 1) * 1000 + (s + 1) * 7 + ((g * s) % 5)),
);

export interface MatrixTextOptions {
  ids?: readonly string[];
  samples?: readonly string[];
  values?: readonly (readonly (string | number)[])[];
  delimiter?: string;
  corner?: string;
  eol?: string;
}

/** A genes x samples matrix as text (header corner cell empty by default). */
export function matrixText(options: MatrixTextOptions = {}): string {
  const d = options.delimiter ?? '\t';
  const eol = options.eol ?? '\n';
  const ids = options.ids ?? GENES.map((g) => g[0]);
  const samples = options.samples ?? BARCODES;
  const values = options.values ?? COUNTS;
  const lines = [[options.corner ?? '', ...samples].join(d)];
  ids.forEach((id, g) => {
    lines.push([id, ...values[g]!].join(d));
  });
  return lines.join(eol) + eol;
}

/** rows as plain number arrays (for toEqual across Uint32Array/Float32Array). */
export function plainRows(rows: readonly ArrayLike<number>[]): number[][] {
  return rows.map((r) => Array.from(r));
}
