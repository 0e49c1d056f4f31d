// Expanding a user's path argument into the data files it names.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../formats/inputError.ts';

const DATA_FILE = /\.(tsv|csv|txt|tab|exp)(\.gz)?$/i;

/**
 * A file as given, or the data files (.tsv/.csv/.txt/.tab/.exp, optionally .gz) in a directory, sorted.
 * With `prefer`, a directory's files whose names match it are taken when there are any (so a folder written
 * by `gexbert simulate` yields its count matrices, not its clinical table).
 */
export function dataFiles(target: string, prefer?: RegExp): string[] {
  if (!fs.existsSync(target)) {
    throw new InputError({ file: target, problem: 'no such file or directory', fix: 'check the path' });
  }
  if (!fs.statSync(target).isDirectory()) return [target];
  const files = fs
    .readdirSync(target)
    .filter((name) => DATA_FILE.test(name) && !name.startsWith('.'))
    .sort()
    .map((name) => path.join(target, name));
  const preferred = prefer ? files.filter((file) => prefer.test(path.basename(file))) : [];
  if (preferred.length) return preferred;
  if (files.length === 0) {
    throw new InputError({
      file: target,
      problem: 'the directory holds no data files',
      fix: 'point at a .tsv, .csv or .exp file (optionally gzipped), or a directory of them',
    });
  }
  return files;
}
