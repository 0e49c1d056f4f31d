import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/formats/inputError.ts';
import {
  detectCompression,
  openTable,
  parseDelimiter,
  splitCells,
  type Table,
} from '../../src/formats/table.ts';
import { expectInputError, TempDir } from './support.ts';

const tmp = new TempDir();
beforeAll(() => tmp.create());
afterAll(() => tmp.remove());

async function readAll(table: Table): Promise<[number, string[]][]> {
  const rows: [number, string[]][] = [];
  for (;;) {
    const text = await table.next();
    if (text === null) break;
    rows.push([table.line, table.cells(text)]);
  }
  table.close();
  return rows;
}

describe('InputError', () => {
  it('formats one line: file:line:column: problem — fix', () => {
    const e = new InputError({ file: 'a.tsv', line: 3, column: 2, problem: 'bad\nvalue', fix: 'fix it' });
    expect(e.message).toBe('a.tsv:3:2: bad value — fix it');
    expect(e.name).toBe('InputError');
    expect(e).toBeInstanceOf(Error);
    expect(new InputError({ file: 'a.tsv', line: 3, problem: 'p', fix: 'f' }).message).toBe('a.tsv:3: p — f');
    expect(new InputError({ file: 'a.tsv', problem: 'p', fix: 'f' }).message).toBe('a.tsv: p — f');
  });
});

describe('openTable', () => {
  it('detects tab and comma from the header, skips blank and leading # lines, numbers lines in the file', async () => {
    const tsv = await openTable(await tmp.write('t.tsv', '# comment\n\na\tb,c\n1\t2,3\n\n4\t5\n'));
    expect(tsv.delimiter).toBe('\t');
    expect(tsv.header).toEqual(['a', 'b,c']);
    expect(tsv.headerLine).toBe(3);
    expect(tsv.comments).toEqual(['# comment']);
    expect(await readAll(tsv)).toEqual([
      [4, ['1', '2,3']],
      [6, ['4', '5']],
    ]);
    const csv = await openTable(await tmp.write('t.csv', 'a,b\r\n"x, y",2\r\n"say ""hi""",3\r\n'));
    expect(csv.delimiter).toBe(',');
    expect(await readAll(csv)).toEqual([
      [2, ['x, y', '2']],
      [3, ['say "hi"', '3']],
    ]);
  });

  it('honours a forced delimiter', async () => {
    const t = await openTable(await tmp.write('semi.txt', 'a;b\n1;2\n'), { delimiter: 'semicolon' });
    expect(t.header).toEqual(['a', 'b']);
    t.close();
    expect(parseDelimiter('tab')).toBe('\t');
    expect(parseDelimiter('\\t')).toBe('\t');
    expect(parseDelimiter(',')).toBe(',');
    expect(() => parseDelimiter('ab')).toThrow(InputError);
  });

  it('detects gzip by magic bytes, not by name', async () => {
    expect(await detectCompression(await tmp.write('z.txt', 'a\tb\n', { gzip: true }))).toBe('gzip');
    expect(await detectCompression(await tmp.write('p.gz', 'a\tb\n'))).toBe('plain');
  });

  it('empty file', async () => {
    const file = await tmp.write('empty.txt', '');
    await expectInputError(openTable(file), { file, line: 1, problem: /the file is empty/ });
  });

  it('blank lines only', async () => {
    const file = await tmp.write('blank.txt', '\n\n  \n');
    await expectInputError(openTable(file), { file, line: 3, problem: /the file is empty/ });
  });

  it('comment lines only', async () => {
    const file = await tmp.write('comments.txt', '# a\n# b\n');
    await expectInputError(openTable(file), { file, line: 2, problem: /only comment lines and no header/ });
  });

  it('truncated gzip: the error names the last complete line read', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `row${i}\t${(i * 2654435761) % 1000003}`);
    const gz = gzipSync(`a\tb\n${lines.join('\n')}\n`);
    const cut = gz.subarray(0, gz.length >> 1);
    const file = await tmp.write('cut.tsv.gz', cut);
    const complete =
      gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString().split('\n').length - 1;
    const table = await openTable(file);
    await expectInputError(readAll(table), {
      file,
      line: complete,
      problem: new RegExp(`truncated or corrupt after line ${complete} \\(unexpected end of file\\)`),
      fix: /gzip -t/,
    });
  });

  it('an unterminated quote', async () => {
    const file = await tmp.write('quote.csv', 'a,b\n1,"2\n');
    const table = await openTable(file);
    await expectInputError(readAll(table), {
      file,
      line: 2,
      column: 2,
      problem: /quoted cell is not closed/,
    });
  });

  it('binary and other-compression files', async () => {
    const bin = await tmp.write('bin.dat', Buffer.from([1, 2, 0, 3, 4]));
    await expectInputError(openTable(bin), { file: bin, problem: /binary file/ });
    const bz = await tmp.write('x.bz2', Buffer.from('BZh91AY&SY'));
    await expectInputError(openTable(bz), { file: bz, problem: /bzip2- or xz-compressed/ });
    const dir = tmp.path('');
    await expectInputError(openTable(dir), { file: dir, problem: /directory/ });
  });

  it('splitCells keeps empty trailing cells and quoted delimiters', () => {
    expect(splitCells('a\t\tb\t', '\t', 'f', 1)).toEqual(['a', '', 'b', '']);
    expect(splitCells('"a,1",b,"",', ',', 'f', 1)).toEqual(['a,1', 'b', '', '']);
  });
});
