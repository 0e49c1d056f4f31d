// Where an import came from: its name, path and a checksum of its bytes (the key for idempotent re-runs).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isSimulatedSource } from './simulated.ts';

export interface ImportSource {
  fileName: string;
  filePath: string;
  checksum: string;
  format: string;
  /** The source carries the simulator's SIMULATED marker (simulated.ts). */
  simulated: boolean;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/** Describes a file, or a set of files (checksum of their sorted names and checksums). */
export async function describeSource(
  target: string,
  format: string,
  files: readonly string[] = [target],
): Promise<ImportSource> {
  const parts: string[] = [];
  for (const file of [...files].sort()) parts.push(`${path.basename(file)}:${await sha256File(file)}`);
  const checksum =
    files.length === 1 && files[0] === target ? parts[0]!.split(':')[1]! : sha256(parts.join('\n'));
  return {
    fileName: path.basename(target),
    filePath: path.resolve(target),
    checksum,
    format,
    simulated: isSimulatedSource(target, files),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
