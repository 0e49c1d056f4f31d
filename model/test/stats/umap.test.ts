// UMAP (umap-js, seeded from the library's generator) and the map readability scores on the real pancan33
// extract (604 samples, 33 types, 100 genes, log2(RSEM + 1)): the same layout for the same seed, another for
// another seed, the subsample-and-transform path deterministic too; the scores at their known extremes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import { fitUmap, fromRows, mapReadability, trustworthiness, typeAgreement } from '../../src/stats/index.ts';

const DIR = join(sharedDir(), 'data/tcga/pancan33');

/** The extract's samples as log2(value + 1) rows, with each one's cancer type from the sidecar. */
function pancan33() {
  const [, ...rows] = gunzipSync(readFileSync(join(DIR, 'pancan33_expression.tsv.gz')))
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
  const [head, ...side] = readFileSync(join(DIR, 'pancan33_samples.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
  const typeOf = new Map(side.map((r) => [r[head!.indexOf('sample')]!, r[head!.indexOf('cancer_type')]!]));
  return {
    x: fromRows(rows.map((r) => r.slice(1).map((v) => Math.log2(Math.max(Number(v), 0) + 1)))),
    labels: rows.map((r) => typeOf.get(r[0]!)!),
  };
}

const { x, labels } = pancan33();

// Determinism does not depend on how long the layout is optimised: 60 epochs (umap-js's default here is 500)
// keep the unit tier quick; the readability test below fits 201.
const QUICK = { epochs: 60 };

it('places the same layout for the same seed, another for another seed, also when subsampled', () => {
  expect(x.rows).toBe(604);
  const a = fitUmap(x, { seed: 3, ...QUICK })!;
  const b = fitUmap(x, { seed: 3, ...QUICK })!;
  const c = fitUmap(x, { seed: 4, ...QUICK })!;
  expect(a.fitted).toBe(604);
  expect(Array.from(b.points.data)).toEqual(Array.from(a.points.data));
  expect(Array.from(c.points.data)).not.toEqual(Array.from(a.points.data));
  // fitted on a seeded 300 of them, the other 304 placed by transform
  const s1 = fitUmap(x, { seed: 3, fitLimit: 300, ...QUICK })!;
  const s2 = fitUmap(x, { seed: 3, fitLimit: 300, ...QUICK })!;
  expect(s1.fitted).toBe(300);
  expect(s1.points.rows).toBe(604);
  expect(Array.from(s1.points.data).every(Number.isFinite)).toBe(true);
  expect(Array.from(s2.points.data)).toEqual(Array.from(s1.points.data));
  // fewer than 3 rows have no UMAP
  expect(fitUmap(fromRows([[1, 2]]), { seed: 1 })).toBeNull();
  // epochs that umap-js's transform would never finish (it runs epochs / 3 of them) are refused up front
  expect(() => fitUmap(x, { seed: 3, fitLimit: 300, epochs: 50 })).toThrow(/multiple of 3, got 50/);
}, 300_000);

it('scores a map at the known extremes and a real UMAP above a shuffled one', () => {
  // a 2-D "embedding" mapped to itself keeps every neighbourhood: trustworthiness 1
  const plane = fromRows(
    Array.from({ length: x.rows }, (_, i) => [x.data[i * x.cols]!, x.data[i * x.cols + 1]!]),
  );
  expect(trustworthiness(plane, plane, 10, [...Array(x.rows).keys()])).toBe(1);
  // each type on its own far-off spot: every neighbour shares the type (types with fewer than 11 samples aside)
  const types = [...new Set(labels)];
  const big = types.filter((t) => labels.filter((l) => l === t).length > 10);
  const keep = labels.flatMap((l, i) => (big.includes(l) ? [i] : []));
  const spots = fromRows(keep.map((i, j) => [1000 * big.indexOf(labels[i]!) + (j % 7) * 1e-3, 0]));
  expect(
    typeAgreement(
      spots,
      keep.map((i) => labels[i]!),
      10,
    ),
  ).toBe(1);
  // the real layout reads better than the same points shuffled among the samples (201 epochs: type agreement
  // 0.639 vs 0.042 shuffled, trustworthiness 0.947 vs 0.510; at the default 500, 0.636 and 0.951)
  const umap = fitUmap(x, { seed: 3, epochs: 201 })!;
  const order = [...Array(x.rows).keys()].sort((a, b) => ((a * 7919) % 604) - ((b * 7919) % 604));
  const shuffled = fromRows(order.map((i) => [umap.points.data[i * 2]!, umap.points.data[i * 2 + 1]!]));
  const real = mapReadability(x, umap.points, labels);
  const mixed = mapReadability(x, shuffled, labels);
  expect(real.typeAgreement!).toBeGreaterThan(mixed.typeAgreement! + 0.1);
  expect(real.trustworthiness!).toBeGreaterThan(mixed.trustworthiness! + 0.1);
  // null without two labelled types
  expect(
    typeAgreement(
      umap.points,
      labels.map(() => null),
      10,
    ),
  ).toBeNull();
}, 300_000);
