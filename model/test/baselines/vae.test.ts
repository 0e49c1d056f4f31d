/**
 * The VAE imputer (vae.ts) on real data: three TCGA cohorts, log2 CPM of the 128 most variable expressed
 * genes of the training samples, a 70/30 stratified split, 50% of the test values masked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import { fitVae, type VaeImputer } from '../../src/baselines/vae.ts';
import {
  combineCounts,
  genesWithMeanCount,
  log2Cpm,
  parseCountTsv,
  selectGenes,
  topVariableGenes,
} from '../../src/data/dataset.ts';
import {
  applyMask,
  fitStandardizer,
  imputationMetrics,
  type Matrix,
  mcarMask,
  meanImpute,
  selectCols,
  selectRows,
  stratifiedSplit,
} from '../../src/stats/index.ts';

const DATA = join(sharedDir(), 'data', 'tcga', 'counts');
const TYPES = ['ACC', 'KICH', 'UVM'];
const OPTIONS = { seed: 3, maxEpochs: 60, patience: 15 };

function loadSplit(): { train: Matrix; test: Matrix } {
  const { counts, labels } = combineCounts(
    TYPES.map((type) => ({
      label: type,
      table: parseCountTsv(
        gunzipSync(readFileSync(join(DATA, `TCGA_${type}_Counts.exp.gz`))).toString('utf8'),
      ),
    })),
  );
  const data = selectGenes(log2Cpm(counts, labels), genesWithMeanCount(counts, 10));
  const split = stratifiedSplit(data.labels, 0.3, 11);
  const genes = topVariableGenes(data, 128, split.train);
  const x = selectCols(data.values, genes);
  return { train: selectRows(x, split.train), test: selectRows(x, split.test) };
}

describe('VAE imputation on TCGA (ACC, KICH, UVM; 128 genes)', () => {
  let train: Matrix;
  let test: Matrix;
  let vae: VaeImputer;
  const mask = () => mcarMask(test.rows, test.cols, 0.5, 21);

  beforeAll(async () => {
    ({ train, test } = loadSplit());
    vae = await fitVae(train, OPTIONS);
  }, 120_000);

  it('beats the per-gene training mean on the masked entries', () => {
    const m = mask();
    const masked = applyMask(test, m);
    const standardizer = fitStandardizer(train);
    const byVae = imputationMetrics(test, vae.impute(masked), m, standardizer);
    const byMean = imputationMetrics(test, meanImpute(train, masked), m, standardizer);
    expect(byMean.pearson).toBe(0);
    expect(byVae.pearson).toBeGreaterThan(0.5);
    expect(byVae.rmseStandardized).toBeLessThan(0.85 * byMean.rmseStandardized);
  });

  it('lowers its training loss and keeps the epoch with the best validation error', () => {
    const loss = vae.trainLoss;
    expect(loss.length).toBeGreaterThan(5);
    expect(Math.min(...loss.slice(-5))).toBeLessThan(0.7 * loss[0]!);
    expect(vae.validationError[vae.bestEpoch]).toBe(Math.min(...vae.validationError));
  });

  it('returns the observed entries unchanged and fills every masked one', () => {
    const m = mask();
    const masked = applyMask(test, m);
    const imputed = vae.impute(masked);
    for (let q = 0; q < m.length; q++) {
      if (m[q] === 0) expect(imputed.data[q]).toBe(test.data[q]);
      else expect(Number.isFinite(imputed.data[q]!)).toBe(true);
    }
  });

  it('is deterministic for a seed', async () => {
    const masked = applyMask(test, mask());
    const options = { ...OPTIONS, maxEpochs: 8 };
    const [a, b, c] = [
      await fitVae(train, options),
      await fitVae(train, options),
      await fitVae(train, { ...options, seed: 4 }),
    ];
    expect(b.trainLoss).toEqual(a.trainLoss);
    expect(b.impute(masked).data).toEqual(a.impute(masked).data);
    expect(c.trainLoss).not.toEqual(a.trainLoss);
    for (const v of [a, b, c]) v.dispose();
  }, 60_000);

  it('rejects incomplete training rows and targets with other genes', async () => {
    const holed = applyMask(train, mcarMask(train.rows, train.cols, 0.01, 1));
    await expect(fitVae(holed, OPTIONS)).rejects.toThrow(/must be complete/);
    expect(() => vae.impute(selectCols(test, [0, 1]))).toThrow(/trained on 128 genes/);
  });
});
