/**
 * The one real-data test: six TCGA cohorts (291 samples), log2 CPM, 70/30 stratified split.
 * Logistic regression on 64 random genes, KNN imputation at 50% missing over 1,000 genes and
 * PCA(5) + Cox on held-out patients (the figures themselves are the evaluation report's: gexbert evaluate).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../../services/core/test-support/shared.ts';
import {
  combineCounts,
  genesWithMeanCount,
  log2Cpm,
  parseCountTsv,
  randomGenePanel,
  selectGenes,
  topVariableGenes,
} from '../../src/data/dataset.ts';
import { pcaCoxRisk } from '../../src/evaluate/survival.ts';
import {
  accuracy,
  applyMask,
  fitLogisticRegression,
  fitMlp,
  fitStandardizer,
  imputationMetrics,
  knnImpute,
  mcarMask,
  meanImpute,
  selectCols,
  selectRows,
  stratifiedSplit,
  tuneKnnK,
} from '../../src/stats/index.ts';
import type { EventIndicator } from '../../src/survival/index.ts';

const DATA = sharedPath('data', 'tcga');
const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];

function loadOs(): Map<string, { time: number; event: EventIndicator }> {
  const text = gunzipSync(readFileSync(join(DATA, 'clinical', 'tcga_pancan_os.tsv.gz'))).toString('utf8');
  const lines = text.split('\n');
  const header = lines[0]!.split('\t');
  const iPatient = header.indexOf('patient');
  const iTime = header.indexOf('OS_time_days');
  const iEvent = header.indexOf('OS_event');
  const os = new Map<string, { time: number; event: EventIndicator }>();
  for (const line of lines.slice(1)) {
    const cells = line.split('\t');
    const time = Number(cells[iTime]);
    const event = Number(cells[iEvent]);
    if (cells[iPatient] && Number.isFinite(time) && (event === 0 || event === 1) && cells[iTime] !== 'NA')
      os.set(cells[iPatient]!, { time, event });
  }
  return os;
}

describe('TCGA six cohorts', () => {
  it('classifies, imputes and predicts survival on real data', () => {
    const { counts, labels } = combineCounts(
      TYPES.map((type) => ({
        label: type,
        table: parseCountTsv(
          gunzipSync(readFileSync(join(DATA, 'counts', `TCGA_${type}_Counts.exp.gz`))).toString('utf8'),
        ),
      })),
    );
    expect(counts.sampleIds.length).toBe(291);
    // Expressed genes (protein-coding-ish): mean raw count >= 10, then log2(CPM + 1) on all genes.
    const expressed = genesWithMeanCount(counts, 10);
    const data = selectGenes(log2Cpm(counts, labels), expressed);
    const split = stratifiedSplit(data.labels, 0.3, 42);

    // (1) Classification: logistic regression on 64 random expressed genes.
    const panel = randomGenePanel(data.geneIds.length, 64, 7);
    const x = selectCols(data.values, panel);
    const yTrain = split.train.map((i) => data.labels[i]!);
    const yTest = split.test.map((i) => data.labels[i]!);
    const model = fitLogisticRegression(selectRows(x, split.train), yTrain);
    const predicted = model.predict(selectRows(x, split.test));
    const acc = accuracy(yTest, predicted);
    const mlp = fitMlp(selectRows(x, split.train), yTrain, { seed: 1 });
    const mlpPredicted = mlp.predict(selectRows(x, split.test));
    const mlpAcc = accuracy(yTest, mlpPredicted);

    // (3) Imputation: 1,000 most variable genes (on training samples), 50% MCAR on the test samples.
    const top = topVariableGenes(data, 1000, split.train);
    const x1000 = selectCols(data.values, top);
    const train1000 = selectRows(x1000, split.train);
    const test1000 = selectRows(x1000, split.test);
    const standardizer = fitStandardizer(train1000);
    const { k } = tuneKnnK(train1000, { seed: 3, candidates: [1, 3, 5, 10, 20] });
    const mask = mcarMask(test1000.rows, test1000.cols, 0.5, 11);
    const masked = applyMask(test1000, mask);
    const knn = imputationMetrics(test1000, knnImpute(train1000, masked, k), mask, standardizer);
    const mean = imputationMetrics(test1000, meanImpute(train1000, masked), mask, standardizer);

    // (2) Survival: PCA(5) + Cox on the 1,000 genes; patients joined on the first 12 barcode characters.
    const os = loadOs();
    const withOs = (rows: number[]) => rows.filter((i) => os.has(data.sampleIds[i]!.slice(0, 12)));
    const survTrain = withOs(split.train);
    const survTest = withOs(split.test);
    const outcome = (rows: number[]) => {
      const records = rows.map((i) => os.get(data.sampleIds[i]!.slice(0, 12))!);
      return { time: records.map((r) => r.time), event: records.map((r) => r.event) };
    };
    const pcaCox = pcaCoxRisk(
      selectRows(x1000, survTrain),
      outcome(survTrain),
      selectRows(x1000, survTest),
      outcome(survTest),
      { k: 5 },
    );
    expect(acc).toBeGreaterThan(0.9);
    expect(mlpAcc).toBeGreaterThan(0.9);
    expect(knn.pearson).toBeGreaterThan(0.7);
    expect(mean.pearson).toBe(0);
    expect(pcaCox.cIndex).toBeGreaterThan(0.6);
  });
});
