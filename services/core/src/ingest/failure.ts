// A failed import is recorded too: after the import's transaction has rolled back (nothing it parsed is
// stored), ONE `Import` row with status FAILED and the error is written on its own, so the history shows
// what was tried and why it failed.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createPrisma } from '../db/prisma.ts';
import { InputError, isInputError } from '../formats/inputError.ts';
import { isSimulatedSource } from './simulated.ts';
import { describeSource } from './source.ts';
import type { ImportKind } from './transaction.ts';

/** What was being imported when the error happened. */
export interface Attempt {
  kind: ImportKind;
  /** The file (or directory) being imported. */
  target: string;
  /** The files whose bytes make up the source (for its checksum). */
  files: readonly string[];
  format: string;
  /** Recorded as the import's path instead of the local one (e.g. `upload:counts.tsv`). */
  origin?: string;
  /** The file's name in the error and the record instead of the local path (an upload's own name). */
  label?: string;
}

/**
 * Runs `work`; when it throws, records the failure of `attempt()` (read at that moment, so it names the
 * source being imported when the error happened) and rethrows the error (relabelled, see `Attempt.label`).
 */
export async function recordingFailure<T>(
  pool: pg.Pool,
  attempt: () => Attempt,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const current = attempt();
    const reported = relabel(error, current);
    await recordFailure(pool, current, reported);
    throw reported;
  }
}

/**
 * Writes the FAILED import row; a failure to record it never hides the import's own error. Ingest's callers
 * hand it the pool (its COPY path needs pg), so the row goes through a Prisma client over that same pool,
 * made for this rare write and let go after it (the pool is not ended).
 */
export async function recordFailure(pool: pg.Pool, attempt: Attempt, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const prisma = createPrisma(pool);
  try {
    await prisma.import.create({
      data: {
        kind: attempt.kind,
        status: 'FAILED',
        fileName: attempt.label ?? path.basename(attempt.target),
        filePath: attempt.origin ?? path.resolve(attempt.target),
        checksum: await checksumOf(attempt),
        format: attempt.format,
        rowCount: 0,
        sampleCount: 0,
        geneCount: 0,
        unmappedGenes: [],
        warnings: [],
        error: message,
        simulated: safely(() => isSimulatedSource(attempt.target, attempt.files)),
        startedAt: new Date(),
      },
    });
  } catch {
    // The database itself is failing: the caller still reports the import's error.
  } finally {
    await prisma.$disconnect().catch(() => {});
  }
}

/** The source's checksum, or '' when its files cannot be read (e.g. a path that does not exist). */
async function checksumOf(attempt: Attempt): Promise<string> {
  const readable = attempt.files.every((file) => fs.existsSync(file) && fs.statSync(file).isFile());
  if (!readable || attempt.files.length === 0) return '';
  try {
    return (await describeSource(attempt.target, attempt.format, attempt.files)).checksum;
  } catch {
    return '';
  }
}

/**
 * The error naming `label` instead of the local path of the file being imported (and a file uploaded
 * beside it, such as a table's per-sample table, by its own name).
 */
function relabel(error: unknown, attempt: Attempt): unknown {
  if (!attempt.label || !isInputError(error)) return error;
  const beside = attempt.files.includes(error.file) && error.file !== attempt.target;
  if (error.file !== attempt.target && !beside) return error;
  return new InputError({
    file: beside ? path.basename(error.file) : attempt.label,
    ...(error.line === undefined ? {} : { line: error.line }),
    ...(error.column === undefined ? {} : { column: error.column }),
    problem: error.problem,
    fix: error.fix,
  });
}

function safely(test: () => boolean): boolean {
  try {
    return test();
  } catch {
    return false;
  }
}
