// Ground truth read straight from a counts file (genes as rows, samples as columns, gzip TSV), for tests
// that check the platform's log2(CPM + 1) against the source.
import fs from 'node:fs';
import zlib from 'node:zlib';

/**
 * Per sample (its barcode's first 15 characters): `gene`'s log2(CPM + 1), the library size being the sum of
 * the sample's column over every row of the file.
 */
export function geneLog2CpmInFile(file: string, gene: string): Map<string, number> {
  const [header, ...rows] = zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
  const sums = new Float64Array(header!.length - 1); // (samples)
  let counts: number[] = [];
  for (const cells of rows) {
    const values = cells.slice(1).map(Number);
    values.forEach((v, i) => {
      if (Number.isFinite(v)) sums[i]! += v;
    });
    if (cells[0] === gene) counts = values;
  }
  return new Map(
    header!
      .slice(1)
      .map((barcode, i) => [barcode.slice(0, 15), Math.log2((counts[i]! * 1e6) / sums[i]! + 1)]),
  );
}
