// Derives the compact GENCODE v36 gene table the platform ships (services/core/data/gencode_v36_genes.tsv.gz)
// from the shared reference (../shared/data/reference/gencode_v36_genes.tsv.gz, or $GEXBERT_SHARED_DIR/...).
//
//   npx tsx scripts/derive-gene-reference.ts [input.tsv.gz] [output.tsv.gz]
//
// Output: gzipped TSV with the header `ensembl_id version symbol gene_type`, one row per gene, sorted by
// Ensembl ID. The 44 `_PAR_Y` rows (copies of chrX pseudoautosomal genes under the same Ensembl ID) are
// dropped, so every Ensembl ID appears once. The run fails on anything unexpected (missing column,
// malformed ID, duplicate ID, empty symbol or type).

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sharedDir = process.env.GEXBERT_SHARED_DIR ?? join(repoRoot, '..', 'shared');
const input = resolve(process.argv[2] ?? join(sharedDir, 'data', 'reference', 'gencode_v36_genes.tsv.gz'));
const output = resolve(
  process.argv[3] ?? join(repoRoot, 'services', 'core', 'data', 'gencode_v36_genes.tsv.gz'),
);

function fail(message: string): never {
  console.error(`derive-gene-reference: ${message}`);
  process.exit(1);
}

const text = gunzipSync(readFileSync(input)).toString('utf8');
const lines = text.split('\n');
const header = (lines[0] ?? '').split('\t');
const col = (name: string): number => {
  const i = header.indexOf(name);
  if (i < 0) fail(`${input}: no column '${name}' (found: ${header.join(', ')})`);
  return i;
};
const iGeneId = col('gene_id');
const iEnsembl = col('ensembl_id');
const iSymbol = col('symbol');
const iType = col('gene_type');

const rows: [string, number, string, string][] = [];
const seen = new Set<string>();
let parY = 0;
for (let n = 1; n < lines.length; n++) {
  const line = lines[n];
  if (line === undefined || line === '') continue;
  const cells = line.split('\t');
  const geneId = cells[iGeneId] ?? '';
  const ensemblId = cells[iEnsembl] ?? '';
  const symbol = cells[iSymbol] ?? '';
  const geneType = cells[iType] ?? '';
  if (geneId.endsWith('_PAR_Y')) {
    parY++;
    continue;
  }
  const m = /^(ENSG\d{11})\.(\d+)$/.exec(geneId);
  if (!m || m[1] !== ensemblId)
    fail(`${input}:${n + 1}: unexpected gene_id '${geneId}' / ensembl_id '${ensemblId}'`);
  if (seen.has(ensemblId)) fail(`${input}:${n + 1}: duplicate Ensembl ID ${ensemblId}`);
  if (symbol === '' || geneType === '' || /\s/.test(symbol) || /\s/.test(geneType)) {
    fail(`${input}:${n + 1}: empty or malformed symbol/gene_type for ${ensemblId}`);
  }
  seen.add(ensemblId);
  rows.push([ensemblId, Number(m[2]), symbol, geneType]);
}
rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

const out = ['ensembl_id\tversion\tsymbol\tgene_type', ...rows.map((r) => r.join('\t'))].join('\n');
const gz = gzipSync(Buffer.from(`${out}\n`, 'utf8'), { level: 9 });
writeFileSync(output, gz);
console.log(
  `derive-gene-reference: ${rows.length} genes (${parY} _PAR_Y rows dropped) -> ${relative(process.cwd(), output)} (${gz.length} bytes)`,
);
