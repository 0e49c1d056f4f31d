// Delimited text tables, plain or gzip-compressed (detected by magic bytes, not the name), read as a stream
// of lines: readline over the file (through gunzip when compressed). Finds the header (after blank lines and
// leading `#` comment lines), detects the delimiter (tab or comma) from it, splits rows (CSV-style quotes
// allowed), checks row lengths and turns every read problem (missing file, truncated or corrupt gzip, binary
// data) into an InputError naming the file and the last line read.

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from './inputError.ts';

export type Compression = 'gzip' | 'plain';

/** Reads the first bytes of a file and says how it is compressed; throws InputError for unreadable files. */
export async function detectCompression(file: string): Promise<Compression> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError({
      file,
      problem: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(error)})`,
      fix: 'check the path and that the file is readable',
    });
  }
  if (info.isDirectory()) {
    throw new InputError({
      file,
      problem: 'this is a directory, not a file',
      fix: 'pass the path of a file',
    });
  }
  const head = Buffer.alloc(512);
  let bytes = 0;
  try {
    const handle = await open(file, 'r');
    try {
      bytes = (await handle.read(head, 0, head.length, 0)).bytesRead;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new InputError({
      file,
      problem: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      fix: 'check that the file is readable (permissions) and not being written to',
    });
  }
  if (bytes >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  const start = head.subarray(0, bytes);
  if (start.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    throw new InputError({
      file,
      problem: 'this is a ZIP archive (or an Excel .xlsx workbook), not a text table',
      fix: 'unzip it, or export the sheet as tab-separated (.tsv) or comma-separated (.csv) text',
    });
  }
  if (
    start.subarray(0, 3).toString('latin1') === 'BZh' ||
    start.subarray(0, 6).toString('latin1') === '\xfd7zXZ\0'
  ) {
    throw new InputError({
      file,
      problem: 'this file is bzip2- or xz-compressed; only plain text and gzip are read',
      fix: 'decompress it (bunzip2 / unxz) or recompress it with gzip',
    });
  }
  if (start.includes(0)) {
    throw new InputError({
      file,
      problem: 'this is a binary file, not a text table',
      fix: 'pass a tab- or comma-separated text file (optionally gzip-compressed)',
    });
  }
  return 'plain';
}

/** Lines of a text file, plain or gzip, with the 1-based number of the last line returned. */
export class LineReader {
  /** 1-based number of the last line returned by next() (0 before the first). */
  lineNumber = 0;
  private readonly iterator: AsyncIterator<string>;
  private done = false;

  private constructor(
    readonly file: string,
    private readonly rl: Interface,
    private readonly streams: Readable[],
    private readonly compression: Compression,
  ) {
    this.iterator = rl[Symbol.asyncIterator]();
  }

  static async open(file: string): Promise<LineReader> {
    const compression = await detectCompression(file);
    const raw = createReadStream(file, { highWaterMark: 1 << 20 });
    let input: Readable = raw;
    const streams: Readable[] = [raw];
    if (compression === 'gzip') {
      const gunzip = createGunzip({ chunkSize: 1 << 18 });
      raw.on('error', (error) => gunzip.destroy(error));
      input = raw.pipe(gunzip);
      streams.push(gunzip);
    }
    const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    return new LineReader(file, rl, streams, compression);
  }

  /** The next line without its line break (a lone trailing \r is removed too), or null at the end. */
  async next(): Promise<string | null> {
    if (this.done) return null;
    let result: IteratorResult<string>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      this.close();
      throw this.readError(error);
    }
    if (result.done) {
      this.done = true;
      return null;
    }
    this.lineNumber++;
    const text = result.value;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  close(): void {
    this.done = true;
    this.rl.close();
    for (const stream of this.streams) stream.destroy();
  }

  private readError(error: unknown): InputError {
    if (error instanceof InputError) return error;
    const err = error as NodeJS.ErrnoException;
    const last = this.lineNumber;
    const where = last > 0 ? `after line ${last}` : 'before the first line';
    if (
      this.compression === 'gzip' &&
      (String(err.code).startsWith('Z_') || /zlib|gzip|header check|end of file/i.test(err.message))
    ) {
      return new InputError({
        file: this.file,
        line: last > 0 ? last : undefined,
        problem: `the gzip data is truncated or corrupt ${where} (${err.message})`,
        fix: 'the file is incomplete or damaged: download or copy it again (`gzip -t` checks a .gz file)',
      });
    }
    return new InputError({
      file: this.file,
      line: last > 0 ? last : undefined,
      problem: `reading the file failed ${where} (${err.message})`,
      fix: 'check that the file is readable and not being written to',
    });
  }
}

export interface TableOptions {
  /** Force the delimiter: a single character, or `tab`/`comma`/`\t`. Default: detected from the header. */
  delimiter?: string;
  /** Lines before the header starting with this are collected as comments (default `#`; null: none). */
  commentPrefix?: string | null;
}

/** `tab`, `\t`, `comma`, `,`, `semicolon`, ... -> the delimiter character; throws InputError otherwise. */
export function parseDelimiter(value: string, file = '--delimiter'): string {
  const named: Record<string, string> = {
    tab: '\t',
    '\\t': '\t',
    tsv: '\t',
    comma: ',',
    csv: ',',
    semicolon: ';',
    pipe: '|',
    space: ' ',
  };
  const d = named[value.toLowerCase()] ?? value;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new InputError({
      file,
      problem: `'${value}' is not a usable delimiter`,
      fix: 'pass a single character, or one of tab, comma, semicolon, pipe, space',
    });
  }
  return d;
}

export function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : d === ' ' ? 'space' : `'${d}'`;
}

/** A delimited table: header read, rows streamed one line at a time. */
export class Table {
  /** 1-based line number of the row last returned by next(). */
  line = 0;
  private readonly buffer: { text: string; line: number }[] = [];

  private constructor(
    readonly file: string,
    private readonly reader: LineReader,
    readonly delimiter: string,
    readonly header: string[],
    readonly headerLine: number,
    readonly comments: readonly string[],
    /** The header line as written (without line break). */
    readonly headerText: string,
  ) {}

  /**
   * Opens the file and reads up to the header. Throws InputError when the file is empty (or holds only blank
   * and comment lines). A header with a single cell is returned as is: callers decide whether that means a
   * wrong delimiter (see `singleColumnError`).
   */
  static async open(file: string, options: TableOptions = {}): Promise<Table> {
    const forced = options.delimiter === undefined ? undefined : parseDelimiter(options.delimiter);
    const prefix = options.commentPrefix === undefined ? '#' : options.commentPrefix;
    const reader = await LineReader.open(file);
    const comments: string[] = [];
    try {
      for (;;) {
        let text = await reader.next();
        if (text === null) {
          throw new InputError({
            file,
            line: reader.lineNumber > 0 ? reader.lineNumber : 1,
            problem:
              comments.length > 0 ? 'the file holds only comment lines and no header' : 'the file is empty',
            fix: 'check that the export or download finished; the file must start with a header line followed by data rows',
          });
        }
        if (reader.lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (text.trim() === '') continue;
        if (prefix !== null && text.startsWith(prefix)) {
          comments.push(text);
          continue;
        }
        const delimiter = forced ?? (text.includes('\t') ? '\t' : text.includes(',') ? ',' : '\t');
        const header = splitCells(text, delimiter, file, reader.lineNumber).map((cell) => cell.trim());
        return new Table(file, reader, delimiter, header, reader.lineNumber, comments, text);
      }
    } catch (error) {
      reader.close();
      throw error;
    }
  }

  /** The next non-blank data line (sets `line`), or null at the end of the file. */
  async next(): Promise<string | null> {
    const buffered = this.buffer.shift();
    if (buffered !== undefined) {
      this.line = buffered.line;
      return buffered.text;
    }
    for (;;) {
      const text = await this.reader.next();
      if (text === null) return null;
      if (text.length === 0 || (text.trim() === '' && !text.includes(this.delimiter))) continue;
      this.line = this.reader.lineNumber;
      return text;
    }
  }

  /** Up to n upcoming data lines, without consuming them (next() still returns them). */
  async peek(n: number): Promise<{ text: string; line: number }[]> {
    while (this.buffer.length < n) {
      const text = await this.reader.next();
      if (text === null) break;
      if (text.length === 0 || (text.trim() === '' && !text.includes(this.delimiter))) continue;
      this.buffer.push({ text, line: this.reader.lineNumber });
    }
    return this.buffer.slice(0, n);
  }

  /** Cells of a line (quotes removed, not trimmed). */
  split(text: string, line = this.line): string[] {
    return splitCells(text, this.delimiter, this.file, line);
  }

  /** Cells of a line, which must number `expected`; throws the ragged-row InputError otherwise. */
  cells(text: string, expected = this.header.length, line = this.line): string[] {
    const cells = this.split(text, line);
    if (cells.length !== expected) throw this.raggedError(line, expected, cells.length);
    return cells;
  }

  raggedError(line: number, expected: number, actual: number): InputError {
    return new InputError({
      file: this.file,
      line,
      problem: `this row has ${actual} cells but the header (line ${this.headerLine}) has ${expected}`,
      fix: `every row needs exactly one cell per header column: look for missing or extra ${delimiterName(this.delimiter)} characters in this row (or a truncated row)`,
    });
  }

  /** The error for a table whose header splits into a single cell (wrong or unsupported delimiter). */
  singleColumnError(what: string): InputError {
    const guess = guessDelimiter(this.headerText);
    return new InputError({
      file: this.file,
      line: this.headerLine,
      problem: `the header splits into a single column on ${delimiterName(this.delimiter)}${guess ? ` (it seems to use ${delimiterName(guess)} instead)` : ''}, so this cannot be ${what}`,
      fix: `convert the file to tab-separated or comma-separated text${guess && guess !== '\t' && guess !== ',' ? ` (replace each ${delimiterName(guess)} between cells with a tab)` : ''} and ingest it again`,
    });
  }

  close(): void {
    this.reader.close();
  }
}

export const openTable = (file: string, options?: TableOptions): Promise<Table> => Table.open(file, options);

/** The most frequent of ; | space : in a line, if any (for wrong-delimiter messages). */
export function guessDelimiter(text: string): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const d of [';', '|', ' ', ':']) {
    let count = 0;
    for (let i = text.indexOf(d); i >= 0; i = text.indexOf(d, i + 1)) count++;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Splits one line on the delimiter; cells starting with `"` are CSV-quoted (`""` escapes a quote). */
export function splitCells(text: string, delimiter: string, file: string, line: number): string[] {
  if (!text.includes('"')) return text.split(delimiter);
  const cells: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          throw new InputError({
            file,
            line,
            column: cells.length + 1,
            problem: 'a quoted cell is not closed (a " without its closing ")',
            fix: 'close the quote or remove it; values cannot span lines',
          });
        }
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      const end = text.indexOf(delimiter, j);
      // Text between the closing quote and the delimiter (rare, malformed) is kept as part of the value.
      value += text.slice(j, end < 0 ? n : end);
      cells.push(value);
      if (end < 0) return cells;
      i = end + 1;
    } else {
      const end = text.indexOf(delimiter, i);
      if (end < 0) {
        cells.push(text.slice(i));
        return cells;
      }
      cells.push(text.slice(i, end));
      i = end + 1;
    }
    if (i === n) {
      cells.push('');
      return cells;
    }
  }
}
