import { describe, expect, it } from 'vitest';
import {
  type Cohort,
  geneCounts,
  geneMeans,
  simulateCohort,
  simulateCounts,
} from '../../src/simulate/cohort.ts';
import { pearson } from '../../src/stats/metrics.ts';
import { logCpm, median, moments, sd } from './helpers.ts';

const BARCODE = /^GXSM-[A-Z]{2}-[0-9A-Z]{4}-(01|11)A-01R-0000-07$/;

// One mid-sized cohort shared by the expression tests (drawn once: ~0.5M counts).
const base = simulateCohort({ samples: 600, genes: 1000, types: 4, seed: 11 });
const baseCounts = simulateCounts(base);
const baseLog = logCpm(baseCounts, 1000, 600);

function row(values: Float64Array, g: number, n: number): Float64Array {
  return values.subarray(g * n, (g + 1) * n);
}

/** Samples (columns) that are primary tumours. */
function tumourColumns(c: Cohort): number[] {
  return Array.from(c.samples.normal.keys()).filter((i) => c.samples.normal[i] === 0);
}

describe('cohort structure', () => {
  it('names samples with TCGA-shaped synthetic barcodes; patient = first 12, type code = chars 14-15', () => {
    const { samples, patients } = base;
    expect(samples.barcodes).toHaveLength(600);
    expect(new Set(samples.barcodes).size).toBe(600);
    for (let i = 0; i < 600; i++) {
      const b = samples.barcodes[i]!;
      expect(b).toMatch(BARCODE);
      expect(b).toHaveLength(28);
      expect(b.slice(0, 12)).toBe(patients.ids[samples.patient[i]!]);
      expect(b.slice(13, 15)).toBe(samples.normal[i] ? '11' : '01');
    }
    expect(new Set(patients.ids).size).toBe(patients.ids.length);
  });

  it('draws barcodes from the seed: same seed, same barcodes; other seeds (the demo seed 7 included) share none', () => {
    const opts = { samples: 240, genes: 50, types: 4 };
    const demo = simulateCohort({ ...opts, seed: 7 }).samples.barcodes;
    expect(simulateCohort({ ...opts, seed: 7 }).samples.barcodes).toEqual(demo);
    const seen = new Set(demo);
    for (const seed of [1, 2, 5, 8, 11, 12345]) {
      const other = simulateCohort({ ...opts, seed }).samples.barcodes;
      expect(
        other.filter((b) => seen.has(b)),
        `seed ${seed}`,
      ).toEqual([]);
      for (const b of other) seen.add(b);
    }
  });

  it('makes ~5% of columns matched normals of patients that also have a primary tumour of the same type', () => {
    const { samples, patients } = base;
    const tumours = tumourColumns(base).length;
    expect(600 - tumours).toBe(Math.round(600 * 0.05));
    expect(patients.ids.length).toBe(tumours);
    for (let i = 0; i < 600; i++) {
      const p = samples.patient[i]!;
      const t = patients.tumourSample[p]!;
      expect(samples.normal[t]).toBe(0);
      expect(samples.patient[t]).toBe(p);
      expect(samples.type[i]).toBe(patients.type[p]);
    }
  });

  it('groups columns by cancer type SIM1..SIMT and gives every type samples of unequal sizes', () => {
    const { samples, typeNames } = base;
    expect(typeNames).toEqual(['SIM1', 'SIM2', 'SIM3', 'SIM4']);
    const sizes: number[] = [];
    for (let t = 0; t < 4; t++) {
      const from = samples.typeOffsets[t]!;
      const to = samples.typeOffsets[t + 1]!;
      sizes.push(to - from);
      for (let i = from; i < to; i++) expect(samples.type[i]).toBe(t);
    }
    expect(samples.typeOffsets[4]).toBe(600);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(new Set(sizes).size).toBeGreaterThan(1);
  });

  it('uses default SIMG gene IDs, or the given IDs, symbols, type names and type weights', () => {
    expect(base.genes.ids[0]).toBe('SIMG00001');
    expect(base.genes.ids[999]).toBe('SIMG01000');
    const ids = Array.from({ length: 60 }, (_, g) => `ENSG9${String(g).padStart(10, '0')}`);
    const c = simulateCohort({
      samples: 40,
      genes: 60,
      types: ['AAA', 'BBB'],
      geneIds: ids,
      geneSymbols: ids.map((_, g) => `SYM${g}`),
      typeWeights: [3, 1],
      normalFraction: 0,
    });
    expect(c.genes.ids).toEqual(ids);
    expect(c.genes.symbols[5]).toBe('SYM5');
    expect(c.typeNames).toEqual(['AAA', 'BBB']);
    expect(Array.from(c.samples.typeOffsets)).toEqual([0, 30, 40]);
  });

  it('rejects impossible or malformed options', () => {
    expect(() => simulateCohort({ samples: 3, genes: 10, types: 5 })).toThrow(RangeError);
    expect(() => simulateCohort({ samples: 10, genes: 0, types: 1 })).toThrow(RangeError);
    expect(() => simulateCohort({ samples: 10, genes: 10, types: ['a/b'] })).toThrow(RangeError);
    expect(() => simulateCohort({ samples: 10, genes: 3, types: 1, geneIds: ['x', 'x', 'y'] })).toThrow(
      RangeError,
    );
    expect(() => simulateCohort({ samples: 10, genes: 100, types: 1, modules: 20, moduleSize: 10 })).toThrow(
      RangeError,
    );
    expect(() => simulateCohort({ samples: 10, genes: 10, types: 1, censoring: 1 })).toThrow(RangeError);
    expect(() => simulateCohort({ samples: 10, genes: 10, types: 1, seed: -3 })).toThrow(RangeError);
  });
});

describe('counts', () => {
  it('are reproducible for a seed, differ for another seed, and each gene row stands alone', () => {
    const opts = { samples: 50, genes: 120, types: 2 };
    const a = simulateCounts(simulateCohort({ ...opts, seed: 5 }));
    const b = simulateCounts(simulateCohort({ ...opts, seed: 5 }));
    const c = simulateCounts(simulateCohort({ ...opts, seed: 6 }));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
    const cohort = simulateCohort({ ...opts, seed: 5 });
    geneCounts(cohort, 99);
    expect(Array.from(geneCounts(cohort, 7))).toEqual(Array.from(a.subarray(7 * 50, 8 * 50)));
  });

  it('make column totals equal the library sizes in expectation, spread as configured', () => {
    const check = (logSd: number, medianReads: number) => {
      const c = simulateCohort({
        samples: 800,
        genes: 400,
        types: 3,
        seed: 21,
        libSizeLogSd: logSd,
        libSizeMedian: medianReads,
      });
      const counts = simulateCounts(c);
      const totals = new Float64Array(800);
      const expected = new Float64Array(800);
      for (let g = 0; g < 400; g++) {
        const mu = geneMeans(c, g);
        for (let i = 0; i < 800; i++) {
          totals[i] = totals[i]! + counts[g * 800 + i]!;
          expected[i] = expected[i]! + mu[i]!;
        }
      }
      for (let i = 0; i < 800; i++) expect(expected[i]! / c.samples.libSize[i]!).toBeCloseTo(1, 9);
      const logTotals = Array.from(totals, Math.log);
      expect(Math.abs(median(totals) / medianReads - 1)).toBeLessThan(0.08);
      expect(Math.abs(sd(logTotals) / logSd - 1)).toBeLessThan(0.15);
      expect(pearson(logTotals, Array.from(c.samples.libSize, Math.log))).toBeGreaterThan(0.9);
      return sd(logTotals);
    };
    const narrow = check(0.15, 5e6);
    const wide = check(0.6, 40e6);
    expect(wide).toBeGreaterThan(3 * narrow);
  });

  it('span a realistic range: many low genes, a long tail of highly expressed genes', () => {
    const c = simulateCohort({
      samples: 60,
      genes: 20000,
      types: 2,
      seed: 3,
      modules: 0,
      prognosticGenes: 0,
    });
    const means = new Float64Array(20000);
    let zeros = 0;
    for (let g = 0; g < 20000; g++) {
      const x = geneCounts(c, g);
      let s = 0;
      for (const v of x) {
        s += v;
        if (v === 0) zeros++;
      }
      means[g] = s / 60;
    }
    const sorted = Float64Array.from(means).sort();
    expect(sorted[Math.floor(0.2 * 20000)]!).toBeLessThan(5); // a fifth of genes have a handful of reads
    expect(sorted[Math.floor(0.6 * 20000)]!).toBeGreaterThan(100);
    expect(sorted[19999]!).toBeGreaterThan(1e5 / 2);
    expect(zeros / (20000 * 60)).toBeGreaterThan(0.1);
  });

  it('have gene-specific NB dispersion: method-of-moments estimates track the true dispersion', () => {
    const c = simulateCohort({ samples: 800, genes: 400, types: 2, seed: 8, dispersionLogSd: 0.8 });
    const counts = simulateCounts(c);
    const est: number[] = [];
    const truth: number[] = [];
    for (let g = 0; g < 400; g++) {
      const mu = geneMeans(c, g);
      if (median(mu) < 50) continue;
      let num = 0;
      let den = 0;
      for (let i = 0; i < 800; i++) {
        const y = counts[g * 800 + i]!;
        num += (y - mu[i]!) ** 2 - mu[i]!;
        den += mu[i]! ** 2;
      }
      if (num <= 0) continue;
      est.push(Math.log(num / den));
      truth.push(Math.log(c.genes.dispersion[g]!));
    }
    expect(est.length).toBeGreaterThan(100);
    expect(pearson(est, truth)).toBeGreaterThan(0.8);
    const bias = moments(est.map((e, k) => e - truth[k]!)).mean;
    expect(Math.abs(bias)).toBeLessThan(0.15);
  });
});

describe('expression structure', () => {
  it('co-expresses genes of a module far more than genes of different modules', () => {
    const N = 600;
    const tumours = tumourColumns(base);
    const pick = (g: number) => {
      const r = row(baseLog, g, N);
      return tumours.map((i) => r[i]!);
    };
    const modules = base.truth.modules;
    expect(modules.length).toBeGreaterThanOrEqual(4);
    const within: number[] = [];
    const across: number[] = [];
    for (let m = 0; m < modules.length; m++) {
      const genes = modules[m]!.genes;
      for (let a = 0; a < genes.length; a++) {
        for (let b = a + 1; b < genes.length; b++) within.push(pearson(pick(genes[a]!), pick(genes[b]!)));
        const other = modules[(m + 1) % modules.length]!.genes;
        for (const g of other) across.push(pearson(pick(genes[a]!), pick(g)));
      }
    }
    const w = moments(within).mean;
    const x = moments(across).mean;
    expect(w).toBeGreaterThan(0.4);
    expect(Math.abs(x)).toBeLessThan(0.05);
    expect(w - x).toBeGreaterThan(0.35);
  });

  it('tracks the true module activity with the mean log-CPM of the module genes', () => {
    const N = 600;
    const m = base.truth.modules[0]!;
    const score = new Float64Array(N);
    for (const g of m.genes) {
      const r = row(baseLog, g, N);
      for (let i = 0; i < N; i++) score[i] = score[i]! + r[i]! / m.genes.length;
    }
    expect(pearson(score, base.samples.moduleActivity.subarray(0, N))).toBeGreaterThan(0.85);
  });

  const nearestCentroidAccuracy = (c: Cohort, counts: Uint32Array): number => {
    const G = c.genes.ids.length;
    const N = c.samples.barcodes.length;
    const T = c.typeNames.length;
    const lc = logCpm(counts, G, N);
    const centroid = new Float64Array(T * G);
    const n = new Float64Array(T);
    for (let i = 0; i < N; i += 2) {
      const t = c.samples.type[i]!;
      n[t]!++;
      for (let g = 0; g < G; g++) centroid[t * G + g] = centroid[t * G + g]! + lc[g * N + i]!;
    }
    for (let t = 0; t < T; t++)
      for (let g = 0; g < G; g++) centroid[t * G + g] = centroid[t * G + g]! / n[t]!;
    let right = 0;
    let total = 0;
    for (let i = 1; i < N; i += 2) {
      let best = -1;
      let bestD = Number.POSITIVE_INFINITY;
      for (let t = 0; t < T; t++) {
        let d = 0;
        for (let g = 0; g < G; g++) d += (lc[g * N + i]! - centroid[t * G + g]!) ** 2;
        if (d < bestD) {
          bestD = d;
          best = t;
        }
      }
      total++;
      if (best === c.samples.type[i]) right++;
    }
    return right / total;
  };

  it('separates cancer types (nearest centroid on log-CPM, held-out half), and only through the programs', () => {
    expect(nearestCentroidAccuracy(base, baseCounts)).toBeGreaterThan(0.97);
    const flat = simulateCohort({ samples: 600, genes: 1000, types: 4, seed: 11, programLogFold: 0 });
    expect(nearestCentroidAccuracy(flat, simulateCounts(flat))).toBeLessThan(0.6);
  });

  it('shifts type-program genes by their true log fold, and tumour-program genes between tumour and normal', () => {
    const N = 600;
    const meanOf = (g: number, cols: number[]) =>
      cols.reduce((s, i) => s + baseLog[g * N + i]!, 0) / cols.length;
    const typeCols = (t: number) => tumourColumns(base).filter((i) => base.samples.type[i] === t);
    const prog = base.truth.programs[0]!;
    const observed = prog.genes.map((g) => {
      let others = 0;
      for (let t = 1; t < 4; t++) others += meanOf(g, typeCols(t)) / 3;
      return meanOf(g, typeCols(0)) - others;
    });
    expect(pearson(observed, prog.logFold)).toBeGreaterThan(0.85);
    const normals = Array.from(base.samples.normal.keys()).filter((i) => base.samples.normal[i] === 1);
    const tum = base.truth.tumourProgram;
    const diff = tum.genes.map((g) => meanOf(g, tumourColumns(base)) - meanOf(g, normals));
    expect(pearson(diff, tum.logFold)).toBeGreaterThan(0.8);
  });

  it('keeps module and prognostic genes out of the programs', () => {
    const special = new Set([
      ...base.truth.modules.flatMap((m) => m.genes),
      ...base.truth.prognosticGenes.map((p) => p.gene),
    ]);
    for (const p of [...base.truth.programs, base.truth.tumourProgram]) {
      for (const g of p.genes) expect(special.has(g)).toBe(false);
    }
    for (const g of special) expect(base.genes.lowExpressed[g]).toBe(0);
  });
});
