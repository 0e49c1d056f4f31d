// Stand-in "embeddings" from real data: the six TCGA cohorts of <shared>/data/tcga (291 samples),
// log2(CPM + 1) of expressed genes, PCA(32) of the 2,000 most variable genes — PCA and gene choice
// fitted on the training samples only — as Float32Array per sample, with cancer type and overall
// survival (TCGA pan-cancer OS table, patients joined on the first 12 barcode characters).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import {
  combineCounts,
  genesWithMeanCount,
  log2Cpm,
  parseCountTsv,
  selectGenes,
  topVariableGenes,
} from '../../src/data/dataset.ts';
import { fitPca, selectCols, selectRows, stratifiedSplit, transformPca } from '../../src/stats/index.ts';

const TCGA = path.join(sharedDir(), 'data', 'tcga');
const TYPES = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];
export const WIDTH = 32;

export interface Sample {
  barcode: string;
  cancerType: string;
  embedding: Float32Array;
  os?: { time: number; event: boolean };
}

function loadOs(): Map<string, { time: number; event: boolean }> {
  const text = gunzipSync(readFileSync(path.join(TCGA, 'clinical', 'tcga_pancan_os.tsv.gz'))).toString(
    'utf8',
  );
  const [head, ...lines] = text.split('\n');
  const header = head!.split('\t');
  const [iPatient, iTime, iEvent] = ['patient', 'OS_time_days', 'OS_event'].map((c) => header.indexOf(c));
  const os = new Map<string, { time: number; event: boolean }>();
  for (const line of lines) {
    const cells = line.split('\t');
    const time = Number(cells[iTime!]);
    const event = cells[iEvent!];
    if (
      cells[iPatient!] &&
      cells[iTime!] !== 'NA' &&
      Number.isFinite(time) &&
      (event === '0' || event === '1')
    )
      os.set(cells[iPatient!]!, { time, event: event === '1' });
  }
  return os;
}

/** Train (70%) and test (30%) samples, stratified by cancer type (seed 42). */
export function loadTcgaEmbeddings(): { train: Sample[]; test: Sample[] } {
  const { counts, labels } = combineCounts(
    TYPES.map((type) => ({
      label: type,
      table: parseCountTsv(
        gunzipSync(readFileSync(path.join(TCGA, 'counts', `TCGA_${type}_Counts.exp.gz`))).toString('utf8'),
      ),
    })),
  );
  const data = selectGenes(log2Cpm(counts, labels), genesWithMeanCount(counts, 10));
  const split = stratifiedSplit(data.labels, 0.3, 42);
  const x = selectCols(data.values, topVariableGenes(data, 2000, split.train)); // samples x 2000
  const pca = fitPca(selectRows(x, split.train), WIDTH);
  const scores = transformPca(pca, x); // samples x WIDTH
  const os = loadOs();
  const sample = (i: number): Sample => {
    const barcode = data.sampleIds[i]!;
    const outcome = os.get(barcode.slice(0, 12));
    return {
      barcode,
      cancerType: data.labels[i]!,
      embedding: Float32Array.from(scores.data.subarray(i * WIDTH, (i + 1) * WIDTH)),
      ...(outcome ? { os: outcome } : {}),
    };
  };
  return { train: split.train.map(sample), test: split.test.map(sample) };
}
