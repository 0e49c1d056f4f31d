import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ReportRow,
  reportToMarkdown,
  writeReportJson,
  writeReportMarkdown,
} from '../../src/evaluate/report.ts';
import { escapeXml, kaplanMeierPlot, linePlot } from '../../src/evaluate/svg.ts';

const rows: ReportRow[] = [
  {
    task: 'classification',
    method: 'logistic',
    setting: 'k=64',
    metric: 'accuracy',
    value: 0.97512,
    spread: 0.0123,
  },
  {
    task: 'imputation',
    method: 'mean|baseline',
    setting: 'missing=50%',
    metric: 'pearson',
    value: 0,
    spread: null,
  },
  {
    task: 'survival',
    method: 'pca5+cox',
    setting: 'test',
    metric: 'c-index',
    value: Number.NaN,
    spread: null,
  },
];

describe('report', () => {
  it('renders a Markdown table with value ± spread, escaping pipes', () => {
    const lines = reportToMarkdown(rows).trimEnd().split('\n');
    expect(lines.length).toBe(5);
    expect(lines[0]).toBe('| task | method | setting | metric | value |');
    expect(lines[2]).toBe('| classification | logistic | k=64 | accuracy | 0.975 ± 0.012 |');
    expect(lines[3]).toBe('| imputation | mean\\|baseline | missing=50% | pearson | 0.000 |');
    expect(lines[4]).toContain('| NA |');
  });

  it('writes JSON and Markdown files that read back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gexbert-report-'));
    try {
      await writeReportJson(join(dir, 'sub', 'report.json'), rows);
      const back = JSON.parse(await readFile(join(dir, 'sub', 'report.json'), 'utf8')) as ReportRow[];
      expect(back[0]).toEqual(rows[0]);
      expect(back[2]!.value).toBeNull();
      await writeReportMarkdown(join(dir, 'report.md'), rows, 2);
      expect(await readFile(join(dir, 'report.md'), 'utf8')).toContain('0.98 ± 0.01');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('svg', () => {
  it('draws one polyline per series with markers and an escaped title', () => {
    const svg = linePlot(
      [
        { name: 'logistic', x: [16, 64, 256, 1024], y: [0.93, 0.97, 0.98, 0.99] },
        { name: 'MLP <h=64>', x: [16, 64, 256, 1024], y: [0.9, 0.975, 0.98, 0.99] },
      ],
      { title: 'Accuracy & genes', xLabel: 'genes', yLabel: 'accuracy', logX: true },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline/g)?.length).toBe(2);
    expect(svg.match(/<circle/g)?.length).toBe(8);
    expect(svg).toContain('Accuracy &amp; genes');
    expect(svg).toContain('MLP &lt;h=64&gt;');
    expect(svg).toContain('>1024<'); // log2 ticks at powers of two
    expect(escapeXml(`a"b'`)).toBe('a&quot;b&apos;');
  });

  it('draws Kaplan-Meier curves as steps from S(0) = 1 with the p-value in the title', () => {
    const svg = kaplanMeierPlot(
      [
        { name: 'low', time: [1, 2], surv: [0.5, 0.25] },
        { name: 'high', time: [1], surv: [0.1] },
      ],
      { title: 'Risk groups', pValue: 0.0123 },
    );
    expect(svg).toContain('Risk groups (log-rank p = 0.0123)');
    const points = svg.match(/points="([^"]+)"/)![1]!.split(' ');
    // (0, 1), step to t = 1 at level 1, drop to 0.5, step to t = 2, drop to 0.25.
    expect(points.length).toBe(5);
    expect(points[1]!.split(',')[1]).toBe(points[0]!.split(',')[1]);
    expect(points[2]!.split(',')[0]).toBe(points[1]!.split(',')[0]);
    expect(svg).not.toContain('<circle');
  });
});
