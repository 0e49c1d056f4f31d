/**
 * The evaluation on a sample table: the real pancan33 folder (604 samples of 33 TCGA types, 100 genes,
 * RSEM normalised values, samples as rows; cancer type and patient from pancan33_samples.tsv). A --quick
 * run with a 20-step GexBERT, without fine-tuning and the trust task (to stay near a minute and a half),
 * checked for the report's schema: the three tasks, their methods and settings, per-type recall of all 33
 * types and macro-F1 beside accuracy for every classifier, survival joined on the sample table's patients.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../../../services/core/test-support/shared.ts';
import { describeDataset, detectDataset, loadDataset } from '../../src/data/inputs.ts';
import type { ReportRow } from '../../src/evaluate/report.ts';
import { planSplits, runEvaluation } from '../../src/evaluate/run.ts';
import { tokensWithin } from '../../src/gexbert/training/recipe.ts';

const PANCAN33 = join(sharedDir(), 'data', 'tcga', 'pancan33');
const OS_TABLE = join(sharedDir(), 'data', 'tcga', 'clinical', 'tcga_pancan_os.tsv.gz');

describe('pancan33 sample table', () => {
  it('is detected as a sample table and read with labels and patients from the sample table', () => {
    const source = detectDataset(PANCAN33);
    expect(source.kind).toBe('sample table');
    expect(describeDataset(source)).toMatch(/sample table "pancan33"/);
    expect(detectDataset(join(sharedDir(), 'data', 'tcga', 'counts')).kind).toBe('count tables');
    const data = loadDataset(PANCAN33);
    expect(data.unit).toBe('rsem');
    expect(data.counts.sampleIds).toHaveLength(604);
    expect(data.counts.geneIds).toHaveLength(100);
    expect(data.counts.geneIds[0]).toBe('613037');
    expect(new Set(data.labels).size).toBe(33);
    expect(data.patients[0]).toBe('TCGA-DX-A3U8');
    expect(data.labels[0]).toBe('SARC');
    // Batch-corrected values below 0 are kept as read (the log transform clamps them).
    expect(Math.min(...data.counts.counts)).toBeLessThan(0);
  });

  it("fits the recipe's input and query genes per step into a 100-gene vocabulary", () => {
    expect(tokensWithin(128, 64, 1000)).toEqual({ inputGenes: 128, queryGenes: 64 });
    expect(tokensWithin(128, 64, 192)).toEqual({ inputGenes: 128, queryGenes: 64 });
    expect(tokensWithin(128, 64, 100)).toEqual({ inputGenes: 66, queryGenes: 34 });
  });

  it('takes --test as another sample table (same shape) and refuses to mix it with count tables', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gexbert-pancan33-split-'));
    try {
      const [header, ...lines] = gunzipSync(readFileSync(join(PANCAN33, 'pancan33_expression.tsv.gz')))
        .toString('utf8')
        .trimEnd()
        .split('\n');
      const samples = readFileSync(join(PANCAN33, 'pancan33_samples.tsv'), 'utf8');
      for (const [name, part] of [
        ['a', lines.slice(0, 400)],
        ['b', lines.slice(400)],
      ] as const) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, `${name}_expression.tsv`), [header, ...part].join('\n'));
        writeFileSync(join(dir, name, `${name}_samples.tsv`), samples);
      }
      const logged: string[] = [];
      const plan = planSplits({ train: join(dir, 'a'), test: join(dir, 'b'), out: dir }, (l) =>
        logged.push(l),
      );
      expect(plan.splits).toEqual([
        { train: [...Array(400).keys()], test: Array.from({ length: 204 }, (_, i) => 400 + i) },
      ]);
      expect(plan.data.unit).toBe('rsem');
      expect(plan.data.patients).toEqual(loadDataset(PANCAN33).patients);
      expect(logged.join('\n')).toMatch(/b: a sample table "b"/);
      const counts = join(dir, 'counts');
      mkdirSync(counts);
      writeFileSync(join(counts, 'TCGA_XXX_Counts.tsv'), '\tTCGA-AA-0001-01A\n613037\t5\n');
      expect(() => planSplits({ train: join(dir, 'a'), test: counts, out: dir }, () => {})).toThrow(
        /training data are normalised values but test data raw counts/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the quick evaluation and reports every task, method and type', { timeout: 300_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'gexbert-pancan33-'));
    try {
      const result = await runEvaluation({
        train: PANCAN33,
        clinical: OS_TABLE,
        quick: true,
        maxSteps: 20,
        skip: ['finetune', 'trust'],
        seed: 1,
        out,
      });
      const rows = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportRow[];
      expect(rows).toHaveLength(result.rows.length);
      for (const r of rows)
        expect(Object.keys(r).sort()).toEqual(['method', 'metric', 'setting', 'spread', 'task', 'value']);
      expect(new Set(rows.map((r) => r.task))).toEqual(new Set(['classification', 'survival', 'imputation']));
      const find = (task: string, method: string, setting: string, metric: string) =>
        rows.find(
          (r) => r.task === task && r.method === method && r.setting === setting && r.metric === metric,
        );

      // Classification: every classifier on the 16- and 64-gene panels (random and chosen) has accuracy,
      // macro-F1 and the recall of each of the 33 types (every type has a test sample in the 70/30 split).
      const types = [...new Set(loadDataset(PANCAN33).labels)].sort();
      const settings = [
        'k=16 genes',
        'k=64 genes',
        'k=16 genes, platform panel',
        'k=16 genes, ANOVA panel',
        'k=64 genes, platform panel',
        'k=64 genes, ANOVA panel',
      ];
      const classification = rows.filter((r) => r.task === 'classification');
      expect(new Set(classification.map((r) => r.setting))).toEqual(new Set(settings));
      for (const setting of settings)
        for (const method of ['logistic', 'mlp', 'gexbert-embedding+logistic']) {
          for (const metric of ['accuracy', 'macro-F1']) {
            const v = find('classification', method, setting, metric)?.value;
            expect(v, `${method} ${setting} ${metric}`).toBeGreaterThanOrEqual(0);
            expect(v, `${method} ${setting} ${metric}`).toBeLessThanOrEqual(1);
          }
          const recall = classification.filter(
            (r) => r.method === method && r.setting === setting && r.metric.startsWith('recall:'),
          );
          expect(recall.map((r) => r.metric.slice('recall:'.length)).sort(), `${method} ${setting}`).toEqual(
            types,
          );
          for (const r of recall) {
            expect(r.value).toBeGreaterThanOrEqual(0);
            expect(r.value).toBeLessThanOrEqual(1);
          }
        }
      expect(classification.some((r) => r.method === 'gexbert-finetuned')).toBe(false);
      // The baselines are far above chance (1/33) on 64 of these genes.
      expect(find('classification', 'logistic', 'k=64 genes', 'accuracy')!.value).toBeGreaterThan(0.5);

      // Survival: joined on the sample table's patient column (590 of the 604 samples have usable OS).
      const pooled = 'overall survival, all types';
      const joined = (metric: string) => find('survival', 'all methods', pooled, metric)!.value;
      expect(joined('training patients joined') + joined('test patients joined')).toBe(590);
      for (const method of ['pca5+cox', 'gexbert-embedding+pca5+cox', 'cancer-type+cox']) {
        const c = find('survival', method, pooled, 'c-index')?.value;
        expect(c, method).toBeGreaterThan(0);
        expect(c, method).toBeLessThan(1);
      }

      // Imputation: the 100 genes at 30% and 70% missing, every method.
      for (const setting of ['missing=30%, genes=100', 'missing=70%, genes=100'])
        for (const method of ['mean', 'knn', 'vae', 'gexbert']) {
          const r = find('imputation', method, setting, 'pearson')?.value;
          expect(Number.isFinite(r), `${method} ${setting}`).toBe(true);
        }

      // The vocabulary is all 100 genes; the report says what was read and how small types are split.
      expect(result.notes.join('\n')).toMatch(/vocabulary 100 genes/);
      const md = readFileSync(join(out, 'report.md'), 'utf8');
      expect(md).toMatch(/read as a sample table "pancan33"/);
      expect(md).toMatch(/Small types: CHOL 3 samples \(2 training \/ 1 test\), DLBC 3 samples/);
      expect(md).toMatch(/log2\(max\(x, 0\) \+ 1\)/);
      expect(md).toMatch(/### Per-type recall/);
      expect(md).toMatch(/\| CHOL \|/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
