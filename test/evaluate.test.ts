// gexbert evaluate --quick on the real shared TCGA data: the three tasks, GexBERT and baselines, a
// complete report (JSON rows, Markdown, SVG plots), and GexBERT restoring genes better than the mean.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { sharedDir } from '../services/core/src/testing/database.ts';
import { runCli } from './support/cli.ts';

interface Row {
  task: string;
  method: string;
  setting: string;
  metric: string;
  value: number;
  spread: number | null;
}

it('evaluates GexBERT against baselines on the three tasks (--quick)', { timeout: 360_000 }, async () => {
  const tcga = path.join(sharedDir(), 'data/tcga');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-evaluate-'));
  // --attach copies the report into a checkpoint folder (one with a config.json) after the run.
  const checkpoint = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-evaluate-checkpoint-'));
  fs.writeFileSync(path.join(checkpoint, 'config.json'), '{}');
  const result = await runCli([
    'evaluate',
    '--train',
    path.join(tcga, 'counts'),
    '--clinical',
    path.join(tcga, 'clinical/tcga_pancan_os.tsv.gz'),
    '--quick',
    '--seed',
    '1',
    '--out',
    out,
    '--attach',
    checkpoint,
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/expected duration/);

  const rows = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Row[];
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(Object.keys(r).sort()).toEqual(['method', 'metric', 'setting', 'spread', 'task', 'value']);
    for (const key of ['task', 'method', 'setting', 'metric'] as const) expect(typeof r[key]).toBe('string');
    expect(Number.isFinite(r.value), JSON.stringify(r)).toBe(true);
    expect(r.spread === null || Number.isFinite(r.spread), JSON.stringify(r)).toBe(true);
  }
  const methods = (task: string) => new Set(rows.filter((r) => r.task === task).map((r) => r.method));
  expect([...methods('classification')]).toEqual(
    expect.arrayContaining(['logistic', 'mlp', 'gexbert-embedding+logistic']),
  );
  expect([...methods('survival')]).toEqual(
    expect.arrayContaining(['pca5+cox', 'cancer-type+cox', 'gexbert-embedding+pca5+cox']),
  );
  expect([...methods('imputation')]).toEqual(expect.arrayContaining(['mean', 'gexbert']));
  expect([...methods('imputation')].some((m) => m.startsWith('knn'))).toBe(true);

  const pearson = rows.filter((r) => r.task === 'imputation' && r.metric === 'pearson');
  const settings = [...new Set(pearson.map((r) => r.setting))];
  expect(settings.length).toBeGreaterThanOrEqual(2);
  for (const setting of settings) {
    const of = (method: string) => pearson.find((r) => r.setting === setting && r.method === method)!.value;
    expect(of('gexbert'), setting).toBeGreaterThan(of('mean'));
  }

  const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  expect(md).toMatch(/94%/);
  expect(md).toMatch(/70\/30 split/);
  for (const file of ['classification-accuracy.svg', 'survival-km.svg', 'imputation-pearson.svg']) {
    const svg = fs.readFileSync(path.join(out, file), 'utf8');
    expect(svg, file).toMatch(/<svg/);
    expect(svg, file).toMatch(/<(path|polyline)\b/);
  }
  const attached = [
    'report.json',
    'report.md',
    'classification-accuracy.svg',
    'survival-km.svg',
    'imputation-pearson.svg',
  ];
  expect(fs.readdirSync(path.join(checkpoint, 'evaluation')).sort()).toEqual([...attached].sort());
  for (const file of attached)
    expect(fs.readFileSync(path.join(checkpoint, 'evaluation', file), 'utf8'), file).toBe(
      fs.readFileSync(path.join(out, file), 'utf8'),
    );
});

it('refuses --attach to a folder that is not a checkpoint before evaluating', async () => {
  const notCheckpoint = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-evaluate-empty-'));
  const result = await runCli([
    'evaluate',
    '--train',
    path.join(sharedDir(), 'data/tcga/counts'),
    '--out',
    path.join(notCheckpoint, 'out'),
    '--attach',
    notCheckpoint,
  ]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/--attach .*not a checkpoint folder \(no config\.json\)/);
  expect(result.stderr).not.toMatch(/reading/);
  expect(fs.existsSync(path.join(notCheckpoint, 'evaluation'))).toBe(false);
});
