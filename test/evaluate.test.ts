// gexbert evaluate --quick on the real shared TCGA data: the three tasks, GexBERT and baselines, a
// complete report (JSON rows, Markdown, SVG plots), and GexBERT restoring genes better than the mean.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { sharedDir } from '../services/core/test-support/shared.ts';
import { runCli } from './support/cli.ts';

interface Row {
  task: string;
  method: string;
  setting: string;
  metric: string;
  value: number;
  spread: number | null;
}

it('evaluates GexBERT against baselines on the three tasks (--quick)', { timeout: 600_000 }, async () => {
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

  // Accuracy, macro-F1 and (k = 64) confusion counts per classification method; the confusion cells,
  // summed over the panel draws, give back the mean accuracy (every draw scores the same test samples).
  const k64Methods = new Set(
    rows.filter((r) => r.task === 'classification' && r.setting === 'k=64 genes').map((r) => r.method),
  );
  expect([...k64Methods].sort()).toEqual(['gexbert-embedding+logistic', 'logistic', 'mlp']);
  for (const method of k64Methods) {
    const k64 = rows.filter(
      (r) => r.task === 'classification' && r.method === method && r.setting === 'k=64 genes',
    );
    const metric = (m: string) => k64.find((r) => r.metric === m)?.value;
    expect(metric('macro-F1'), method).toBeGreaterThan(0);
    expect(metric('macro-F1'), method).toBeLessThanOrEqual(1);
    const cells = k64.filter((r) => r.metric.startsWith('confusion:'));
    expect(cells.length, method).toBe(36); // 6 types x 6 types
    const total = cells.reduce((a, r) => a + r.value, 0);
    const correct = cells
      .filter((r) => /^confusion:(\w+)->\1$/.test(r.metric))
      .reduce((a, r) => a + r.value, 0);
    expect(correct / total, method).toBeCloseTo(metric('accuracy')!, 10);
  }

  // Chosen panels (the platform's restoration-based choice and an ANOVA comparison) beside the random
  // ones, every classifier on each; GexBERT fine-tuned on the 16-gene panels.
  const score = (task: string, method: string, setting: string, metric: string) =>
    rows.find((r) => r.task === task && r.method === method && r.setting === setting && r.metric === metric)
      ?.value;
  for (const setting of [
    'k=16 genes, platform panel',
    'k=64 genes, platform panel',
    'k=16 genes, ANOVA panel',
    'k=64 genes, ANOVA panel',
  ])
    for (const method of ['logistic', 'mlp', 'gexbert-embedding+logistic'])
      for (const metric of ['accuracy', 'macro-F1']) {
        const v = score('classification', method, setting, metric);
        expect(v, `${method} ${setting} ${metric}`).toBeGreaterThan(0);
        expect(v, `${method} ${setting} ${metric}`).toBeLessThanOrEqual(1);
      }
  for (const setting of ['k=16 genes', 'k=16 genes, platform panel'])
    expect(score('classification', 'gexbert-finetuned', setting, 'accuracy'), setting).toBeGreaterThan(0.5);

  // Survival: the anchor-gene experiment (restored from a 64-gene panel by GexBERT and by KNN, against the
  // panel alone and the measured anchors), cancer type as a covariate, within-type C.
  const anchors = 'overall survival, 64-gene panel + 8 anchors';
  for (const method of [
    'panel-pca5+cox',
    'knn-restored-anchors+panel-pca5+cox',
    'gexbert-restored-anchors+panel-pca5+cox',
    'measured-anchors+panel-pca5+cox',
  ]) {
    const c = score('survival', method, anchors, 'c-index');
    expect(c, method).toBeGreaterThan(0);
    expect(c, method).toBeLessThan(1);
  }
  expect(
    score('survival', 'gexbert-restored-anchors', anchors, 'anchor restoration r (test)'),
  ).toBeGreaterThan(0.5);
  for (const method of ['pca5+type+cox', 'gexbert-embedding+pca5+type+cox'])
    expect(score('survival', method, 'overall survival, all types', 'c-index'), method).toBeGreaterThan(0.5);

  // Imputation: the VAE baseline (trained with tfjs) is in every setting and beats the per-gene mean.
  for (const setting of ['missing=30%, genes=256', 'missing=70%, genes=256']) {
    const rmse = (method: string) => score('imputation', method, setting, 'rmse (z)')!;
    expect(rmse('vae'), setting).toBeLessThan(0.9 * rmse('mean'));
    expect(score('imputation', 'vae', setting, 'pearson'), setting).toBeGreaterThan(0.3);
  }
  expect(rows.some((r) => r.setting.includes('genes=5000'))).toBe(false);

  const pearson = rows.filter((r) => r.task === 'imputation' && r.metric === 'pearson');
  const settings = [...new Set(pearson.map((r) => r.setting))];
  expect(settings.length).toBeGreaterThanOrEqual(2);
  for (const setting of settings) {
    const of = (method: string) => pearson.find((r) => r.setting === setting && r.method === method)!.value;
    expect(of('gexbert'), setting).toBeGreaterThan(of('mean'));
  }

  // Trust (fitted on the training samples, scored on the test samples): ECE before and after temperature
  // scaling for GexBERT and logistic regression, leave-one-type-out novelty figures, interval coverage. This
  // run owns the trust task of a trained fold (model/test/evaluate/trust.test.ts tests its pieces).
  const spreadOf = (method: string, setting: string, metric: string) =>
    rows.find(
      (r) => r.task === 'trust' && r.method === method && r.setting === setting && r.metric === metric,
    )?.spread;
  for (const method of ['gexbert-embedding+logistic', 'logistic'])
    for (const setting of ['whole profile', 'k=64 genes'])
      for (const when of ['before', 'after']) {
        const ece = score('trust', method, `${setting}, ${when} temperature scaling`, 'ece');
        expect(ece, `${method} ${setting} ${when}`).toBeGreaterThanOrEqual(0);
        expect(ece, `${method} ${setting} ${when}`).toBeLessThan(0.5);
        // k = 64: the two panel draws of --quick give a spread; the whole profile is one value
        const spread = spreadOf(method, `${setting}, ${when} temperature scaling`, 'ece');
        expect(spread === null, `${method} ${setting} ${when}`).toBe(setting === 'whole profile');
      }
  for (const [method, setting] of [
    ['novelty-head (5-NN, measured genes)', 'whole profile'],
    ['novelty-head (5-NN, measured genes)', 'k=64 genes'],
    ['pca20-knn5 (1,000 most variable genes)', 'whole profile'],
  ] as const) {
    expect(score('trust', method, setting, 'novelty AUROC'), `${method} ${setting}`).toBeGreaterThan(0.8);
    expect(spreadOf(method, setting, 'novelty AUROC'), `${method} ${setting}`).not.toBeNull(); // over six left-out types
    expect(score('trust', method, setting, 'known flagged'), `${method} ${setting}`).toBeLessThan(0.25);
    expect(score('trust', method, setting, 'novel flagged'), `${method} ${setting}`).toBeGreaterThan(0.3);
  }
  for (const missing of [30, 70, 90]) {
    const coverage = score('trust', 'gexbert-intervals', `missing=${missing}%`, 'coverage90');
    expect(coverage, `${missing}%`).toBeGreaterThan(0.6);
    expect(coverage, `${missing}%`).toBeLessThanOrEqual(1);
    expect(score('trust', 'gexbert-intervals', `missing=${missing}%`, 'intervalWidth')).toBeGreaterThan(0);
  }

  const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  expect(md).toMatch(/94%/);
  expect(md).toMatch(/intervals calibrated on \d+ residuals of the \d+ training samples/);
  expect(md).toMatch(/70\/30 split/);
  expect(md).toMatch(/## Can the answers be trusted\?/);
  expect(md).toMatch(/after scaling \(temperature [\d.]+\): target (NOT )?met/);
  expect(md).toMatch(
    /Coverage [\d.]+% at 30% missing, [\d.]+% at 70% missing, [\d.]+% at 90% missing: target (NOT )?met/,
  );
  const plots = [
    'classification-accuracy',
    'survival-km',
    'imputation-pearson',
    'imputation-rmse',
    'trust-reliability',
  ];
  for (const plot of plots) {
    const svg = fs.readFileSync(path.join(out, `${plot}.svg`), 'utf8');
    expect(svg, plot).toMatch(/<svg/);
    expect(svg, plot).toMatch(/<(path|polyline)\b/);
    const png = fs.readFileSync(path.join(out, `${plot}.png`));
    expect(png.subarray(1, 4).toString('ascii'), plot).toBe('PNG');
    expect(png.length, plot).toBeGreaterThan(5000);
  }
  // The reliability diagram pools the panel draws: before/after panels of both methods, whole profile (n =
  // the test samples) and k = 64 (two draws: n = twice the test samples).
  const test = Number(/\d+ training \/ (\d+) test/.exec(md)![1]);
  const reliability = fs.readFileSync(path.join(out, 'trust-reliability.svg'), 'utf8');
  expect(reliability.match(/temperature scaling: ECE \d\.\d{3}, n \d+</g)).toHaveLength(8);
  expect(
    reliability.match(new RegExp(`temperature scaling: ECE \\d\\.\\d{3}, n ${test}<`, 'g')),
  ).toHaveLength(4);
  expect(
    reliability.match(new RegExp(`temperature scaling: ECE \\d\\.\\d{3}, n ${2 * test}<`, 'g')),
  ).toHaveLength(4);
  expect((reliability.match(/class="bar"/g) ?? []).length).toBeGreaterThanOrEqual(8);
  expect(reliability).toMatch(/stroke-dasharray="4 3"/);
  const attached = ['report.json', 'report.md', ...plots.flatMap((p) => [`${p}.svg`, `${p}.png`])];
  expect(fs.readdirSync(path.join(checkpoint, 'evaluation')).sort()).toEqual([...attached].sort());
  for (const file of attached)
    expect(
      fs
        .readFileSync(path.join(checkpoint, 'evaluation', file))
        .equals(fs.readFileSync(path.join(out, file))),
      file,
    ).toBe(true);
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

it('names a missing input and what to give before evaluating', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-evaluate-missing-'));
  const result = await runCli([
    'evaluate',
    '--train',
    path.join(sharedDir(), 'data/tcga/counts'),
    '--clinical',
    path.join(out, 'no-such-os.tsv'),
    '--out',
    path.join(out, 'report'),
  ]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(
    /--clinical .*no-such-os\.tsv: no such file or folder; give the overall-survival table/,
  );
  expect(result.stderr).not.toMatch(/reading/);
  expect(fs.existsSync(path.join(out, 'report'))).toBe(false);
});

it('names the count file, line and fix of a ragged table before training', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gexbert-evaluate-ragged-'));
  fs.writeFileSync(
    path.join(dir, 'TCGA_XXX_counts.tsv'),
    'gene\tTCGA-AA-0001-01A\tTCGA-AA-0002-01A\nENSG1\t1\t2\nENSG2\t3\n',
  );
  const result = await runCli(['evaluate', '--train', dir, '--quick', '--out', path.join(dir, 'report')]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(
    `${path.join(dir, 'TCGA_XXX_counts.tsv')}: line 3: 1 values for 2 samples in the header; every line needs a gene ID`,
  );
  expect(result.stderr).not.toMatch(/training GexBERT/);
  expect(fs.existsSync(path.join(dir, 'report'))).toBe(false);
});
