// Packing expression vectors into bytes: little-endian uint32 for exact counts, float32 otherwise.
import os from 'node:os';
import type { ValueRow } from '../formats/types.ts';

export type ValueEncoding = 'U32' | 'F32';

if (os.endianness() !== 'LE') throw new Error('The expression store assumes a little-endian machine');

export function encodingOf(row: ValueRow): ValueEncoding {
  return row instanceof Uint32Array ? 'U32' : 'F32';
}

/** The row's bytes, without copying. */
export function packRow(row: ValueRow): Buffer {
  return Buffer.from(row.buffer, row.byteOffset, row.byteLength);
}

/** A typed array over a copy of the bytes (aligned, so it is safe to keep). */
export function unpackRow(bytes: Uint8Array, encoding: ValueEncoding): ValueRow {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return encoding === 'U32' ? new Uint32Array(copy) : new Float32Array(copy);
}

/** Column s of a gene-major matrix, as a row of its own: the sample's profile. */
export function columnOf(rows: readonly ValueRow[], s: number, encoding: ValueEncoding): ValueRow {
  const out = encoding === 'U32' ? new Uint32Array(rows.length) : new Float32Array(rows.length);
  for (let g = 0; g < rows.length; g++) out[g] = rows[g]![s]!;
  return out;
}

/** True when two rows hold the same numbers (NaN equals NaN: both missing). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}
