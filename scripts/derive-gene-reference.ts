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
import { sharedDir } from '../services/core/test-support/shared.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const input = resolve(process.argv[2] ?? join(sharedDir(), 'data', 'reference', 'gencode_v36_genes.tsv.gz'));
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

// The NCBI Gene map (services/core/data/ncbi_gene_map.tsv.gz) from ../shared/data/reference/ncbi_gene_ids.tsv.gz
// (entrez_id, symbol, gene_type, ensembl_ids, aliases): header `key ensembl_ids`, one row per Entrez Gene
// ID (digits) and per NCBI symbol or alias that is not a GENCODE v36 symbol, with the GENCODE v36 genes it
// names (comma-separated; more than one = ambiguous, never picked). An Entrez ID's genes are its Ensembl
// IDs known to v36, else the one v36 gene with its NCBI symbol. Numeric aliases are left out (they would
// read as Entrez IDs).
//
//   npx tsx scripts/derive-gene-reference.ts [gencode.tsv.gz] [gencode-out.tsv.gz] [ncbi.tsv.gz] [ncbi-out.tsv.gz]
const ncbiInput = resolve(process.argv[4] ?? join(sharedDir(), 'data', 'reference', 'ncbi_gene_ids.tsv.gz'));
const ncbiOutput = resolve(
  process.argv[5] ?? join(repoRoot, 'services', 'core', 'data', 'ncbi_gene_map.tsv.gz'),
);
const known = new Set(rows.map((r) => r[0]));
const bySymbol = new Map<string, string[]>();
for (const [ensemblId, , symbol] of rows) bySymbol.set(symbol, [...(bySymbol.get(symbol) ?? []), ensemblId]);

const ncbiLines = gunzipSync(readFileSync(ncbiInput)).toString('utf8').split('\n');
const ncbiHeader = (ncbiLines[0] ?? '').split('\t');
const ncbiCol = (name: string): number => {
  const i = ncbiHeader.indexOf(name);
  if (i < 0) fail(`${ncbiInput}: no column '${name}' (found: ${ncbiHeader.join(', ')})`);
  return i;
};
const [iEntrez, iNcbiSymbol, iEnsemblIds, iAliases] = ['entrez_id', 'symbol', 'ensembl_ids', 'aliases'].map(
  ncbiCol,
) as [number, number, number, number];
const entrez = new Map<string, string[]>();
const names = new Map<string, Set<string>>();
for (let n = 1; n < ncbiLines.length; n++) {
  const line = ncbiLines[n];
  if (line === undefined || line === '') continue;
  const cells = line.split('\t');
  const id = cells[iEntrez] ?? '';
  if (!/^\d+$/.test(id)) fail(`${ncbiInput}:${n + 1}: entrez_id '${id}' is not a number`);
  const symbol = cells[iNcbiSymbol] ?? '';
  let genes = (cells[iEnsemblIds] ?? '').split(',').filter((g) => known.has(g));
  if (genes.length === 0 && bySymbol.get(symbol)?.length === 1) genes = bySymbol.get(symbol)!;
  if (genes.length === 0) continue;
  entrez.set(id, [...new Set(genes)]);
  for (const name of [symbol, ...(cells[iAliases] ?? '').split(',')]) {
    if (name === '' || /^\d+$/.test(name) || bySymbol.has(name)) continue;
    const targets = names.get(name) ?? new Set<string>();
    for (const g of genes) targets.add(g);
    names.set(name, targets);
  }
}
const mapLines = [
  'key\tensembl_ids',
  ...[...entrez].map(([id, genes]) => `${id}\t${genes.join(',')}`),
  ...[...names].map(([name, genes]) => `${name}\t${[...genes].join(',')}`),
];
const mapGz = gzipSync(Buffer.from(`${mapLines.join('\n')}\n`, 'utf8'), { level: 9 });
writeFileSync(ncbiOutput, mapGz);
const ambiguous = [...names.values()].filter((g) => g.size > 1).length;
console.log(
  `derive-gene-reference: ${entrez.size} Entrez IDs and ${names.size} other symbols/aliases (${ambiguous} ambiguous) -> ${relative(process.cwd(), ncbiOutput)} (${mapGz.length} bytes)`,
);
