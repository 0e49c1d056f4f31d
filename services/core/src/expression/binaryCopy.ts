// PostgreSQL's binary COPY format, for the few column types the expression store writes.
// Layout: signature, flags, header extension; then per tuple a field count and length-prefixed fields;
// then a -1 trailer. See the PostgreSQL manual, "COPY ... Binary Format".
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export type Field = { int4: number } | { text: string } | { bytes: Buffer };

function header(): Buffer {
  const out = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(out, 0);
  return out; // flags = 0, extension length = 0
}

function tuple(fields: readonly Field[]): Buffer[] {
  const head = Buffer.alloc(2);
  head.writeInt16BE(fields.length, 0);
  const parts: Buffer[] = [head];
  for (const field of fields) {
    if ('int4' in field) {
      const b = Buffer.alloc(8);
      b.writeInt32BE(4, 0);
      b.writeInt32BE(field.int4, 4);
      parts.push(b);
    } else {
      const body = 'text' in field ? Buffer.from(field.text, 'utf8') : field.bytes;
      const len = Buffer.alloc(4);
      len.writeInt32BE(body.length, 0);
      parts.push(len, body);
    }
  }
  return parts;
}

function trailer(): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(-1, 0);
  return b;
}

/** Streams `rows` into `table (columns)` with binary COPY on `client` (inside the caller's transaction). */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly Field[]>,
  onRow: () => void = () => {},
): Promise<void> {
  const sql = `COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN (FORMAT binary)`;
  // raw SQL: COPY ... FROM STDIN (BINARY), which only pg speaks
  const sink = client.query(copyFrom(sql));
  async function* chunks() {
    yield header();
    let batch: Buffer[] = [];
    let size = 0;
    for (const row of rows) {
      for (const part of tuple(row)) {
        batch.push(part);
        size += part.length;
      }
      onRow();
      if (size > 1 << 20) {
        yield Buffer.concat(batch, size);
        batch = [];
        size = 0;
      }
    }
    batch.push(trailer());
    yield Buffer.concat(batch);
  }
  await pipeline(Readable.from(chunks()), sink);
}
