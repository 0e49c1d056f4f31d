// The evaluation report's parts: measurements pooled over repeats, the GexBERT-vs-baseline sentences,
// confusion tables rebuilt from their cells, and PNG rendering of the SVG plots (text included).
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Measurements } from '../../src/evaluate/measurements.ts';
import { svgToPng } from '../../src/evaluate/png.ts';
import type { ReportRow } from '../../src/evaluate/report.ts';
import { lowerIsBetter } from '../../src/evaluate/report.ts';
import { confusionTables, findings } from '../../src/evaluate/reportMarkdown.ts';
import { linePlot } from '../../src/evaluate/svg.ts';

describe('Measurements', () => {
  it('pools repeats into mean and sample sd, keeps first-seen order, sums count cells', () => {
    const m = new Measurements();
    m.record('classification', 'mlp', 'k=16 genes', 'accuracy', [0.9]);
    m.record('imputation', 'knn', 'missing=30%', 'pearson', [0.8]);
    m.record('classification', 'mlp', 'k=16 genes', 'accuracy', [0.8, 1.0]);
    m.record('classification', 'mlp', 'k=16 genes', 'confusion:A->B', [2], true);
    m.record('classification', 'mlp', 'k=16 genes', 'confusion:A->B', [3], true);
    const rows = m.rows();
    expect(rows.map((r) => r.metric)).toEqual(['accuracy', 'pearson', 'confusion:A->B']);
    // mean of 0.9, 0.8, 1.0 = 0.9; sample sd = sqrt(((0)^2 + 0.1^2 + 0.1^2) / 2) = 0.1
    expect(rows[0]!.value).toBeCloseTo(0.9, 12);
    expect(rows[0]!.spread).toBeCloseTo(0.1, 12);
    expect(rows[1]).toMatchObject({ value: 0.8, spread: null });
    expect(rows[2]).toMatchObject({ value: 5, spread: null });
  });
});

const row = (method: string, metric: string, value: number, setting = 's'): ReportRow => ({
  task: 't',
  method,
  setting,
  metric,
  value,
  spread: null,
});

describe('findings', () => {
  it('compares every gexbert method with every baseline of the same setting and metric, in the right direction', () => {
    const rows = [
      row('knn', 'pearson', 0.8),
      row('gexbert', 'pearson', 0.7),
      row('knn', 'rmse (z)', 0.5),
      row('gexbert', 'rmse (z)', 0.4),
      row('gexbert', 'pearson', 0.9, 'other'),
    ];
    const out = findings(rows);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(
      /^s, pearson: gexbert \(0\.700\) does NOT beat knn \(0\.800; difference -0\.100\)/,
    );
    expect(out[1]).toMatch(/^s, rmse \(z\): gexbert \(0\.400\) beats knn/);
    expect(lowerIsBetter('log-rank p (median split)')).toBe(true);
    expect(lowerIsBetter('c-index')).toBe(false);
    // the trust task: a smaller calibration error, fewer false alarms and narrower intervals are better
    expect(lowerIsBetter('ece')).toBe(true);
    expect(lowerIsBetter('known flagged')).toBe(true);
    expect(lowerIsBetter('intervalWidth')).toBe(true);
    expect(lowerIsBetter('novel flagged')).toBe(false);
    expect(lowerIsBetter('novelty AUROC')).toBe(false);
    expect(lowerIsBetter('coverage90')).toBe(false);
    expect(lowerIsBetter('pearson')).toBe(false);
    expect(lowerIsBetter('p-value')).toBe(true);
    expect(lowerIsBetter('restoration MSE')).toBe(true);
    expect(lowerIsBetter('accuracy')).toBe(false);
  });
});

describe('confusionTables', () => {
  it('rebuilds the matrix from its cells with true types as rows', () => {
    const cells = [
      row('mlp', 'confusion:A->A', 3, 'k=64 genes'),
      row('mlp', 'confusion:A->B', 1, 'k=64 genes'),
      row('mlp', 'confusion:B->A', 0, 'k=64 genes'),
      row('mlp', 'confusion:B->B', 4, 'k=64 genes'),
    ];
    const lines = confusionTables(cells);
    expect(lines[0]).toMatch(/\*\*mlp, k=64 genes\*\*/);
    expect(lines).toContain('| A | 3 | 1 |');
    expect(lines).toContain('| B | 0 | 4 |');
  });
});

/** Decodes an 8-bit RGBA, non-interlaced PNG into width, height and pixels (enough for resvg's output). */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]); // 8 bits, RGBA
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const cur = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= 4 ? rgba[y * stride + x - 4]! : 0;
      const b = y > 0 ? rgba[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? rgba[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter]!;
      rgba[y * stride + x] = (cur + pred) & 0xff;
    }
  }
  return { width, height, rgba };
}

function darkPixels(image: { rgba: Uint8Array }): number {
  let n = 0;
  for (let i = 0; i < image.rgba.length; i += 4) if (image.rgba[i]! < 128) n++;
  return n;
}

describe('svgToPng', () => {
  it('renders a plot at twice its size on white, with its text drawn', () => {
    const svg = linePlot([{ name: 'mlp', x: [16, 64], y: [0.9, 0.95] }], {
      title: 'accuracy',
      xLabel: 'genes',
      yLabel: 'accuracy',
    });
    const image = decodePng(svgToPng(svg));
    expect([image.width, image.height]).toEqual([1280, 840]);
    expect(image.rgba.slice(0, 4)).toEqual(new Uint8Array([255, 255, 255, 255]));
    // Text alone: a document with only a word must get dark pixels (fonts were found and used).
    const word =
      '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="10" y="30" font-family="sans-serif" font-size="24">GexBERT</text></svg>';
    const blank = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"></svg>';
    expect(darkPixels(decodePng(svgToPng(blank)))).toBe(0);
    expect(darkPixels(decodePng(svgToPng(word)))).toBeGreaterThan(200);
  });
});

describe('imputationPlot', () => {
  it('draws one line per method and gene set: colour by method, dashes by gene set', async () => {
    const { imputationPlot } = await import('../../src/evaluate/plots.ts');
    const cell = (method: string, genes: number, missing: number, value: number): ReportRow => ({
      task: 'imputation',
      method,
      setting: `missing=${missing}%, genes=${genes}`,
      metric: 'rmse (z)',
      value,
      spread: null,
    });
    const rows = [256, 1000].flatMap((genes) =>
      ['knn', 'gexbert'].flatMap((method) => [30, 70].map((missing) => cell(method, genes, missing, 0.5))),
    );
    const svg = imputationPlot(rows, 'rmse (z)');
    const lines = [
      ...svg.matchAll(
        /<polyline fill="none" stroke="([^"]+)" stroke-width="2"( stroke-dasharray="[^"]+")? points="([^"]+)"/g,
      ),
    ];
    expect(lines).toHaveLength(4);
    const [knn256, gex256, knn1000, gex1000] = lines.map((m) => ({
      color: m[1],
      dashed: m[2] !== undefined,
      points: m[3]!.split(' ').length,
    }));
    expect(knn256!.color).toBe(knn1000!.color);
    expect(gex256!.color).toBe(gex1000!.color);
    expect(knn256!.color).not.toBe(gex256!.color);
    expect([knn256!.dashed, gex256!.dashed, knn1000!.dashed, gex1000!.dashed]).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(knn256!.points).toBe(2);
    expect(svg).toMatch(/RMSE \(z\)/);
  });
});
