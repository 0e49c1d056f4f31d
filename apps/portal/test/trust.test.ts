// What the portal says the model knows and does not know: a flagged sample is an explicit unknown (never its
// closest type), answers name their heads, the risk head's fit is stated, the heads' held-out figures are
// grouped readably, and the cohort map gives flagged samples their own "unknown" colour and legend entry.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HeadsSection } from '../src/app/models/HeadsSection.tsx';
import { PredictionSection } from '../src/app/samples/[id]/PredictionSection.tsx';
import { MeasuredRestoredPlot } from '../src/components/plots/MeasuredRestoredPlot.tsx';
import {
  packedMap,
  shownPredictedType,
  typeCategories,
  typeColour,
  UNKNOWN_COLOUR,
  UNKNOWN_TYPE,
  unpackMap,
} from '../src/lib/embeddingMap.ts';
import { headsMetricGroups, showMetric } from '../src/lib/headsMetrics.ts';
import { categoryColour } from '../src/lib/palette.ts';
import { headsText, riskFitText, unknownTypeText } from '../src/lib/prediction.ts';

const KNOWN = ['ACC', 'CHOL', 'DLBC', 'KICH', 'UCS', 'UVM'];
const heads = { id: '988709bc79b7', inputGenes: 1000, panelMatched: false };

function prediction(outOfDistribution: boolean) {
  return {
    model: { id: '1', name: 'tcga-6types', knownCancerTypes: KNOWN },
    heads,
    cancerType: outOfDistribution ? null : 'UVM',
    closestType: 'UVM',
    probability: 0.61,
    novelty: outOfDistribution ? 3.2 : 0.4,
    outOfDistribution,
    probabilities: [
      { cancerType: 'UVM', probability: 0.61 },
      { cancerType: 'ACC', probability: 0.39 },
    ],
  };
}

function risk(percentile: number | null) {
  return {
    heads,
    score: 0.25,
    percentile,
    reference: 'UVM',
    referenceSize: percentile === null ? 0 : 80,
    referenceNote: percentile === null ? 'no reference patient of type UVM has overall survival' : null,
    trainingPercentile: 55,
    patients: 291,
    events: 89,
  };
}

const render = (outOfDistribution: boolean, percentile: number | null) =>
  renderToStaticMarkup(
    createElement(PredictionSection, {
      barcode: 'TCGA-XX-0001-01A',
      recordedType: 'UVM',
      prediction: prediction(outOfDistribution),
      risk: risk(percentile),
      modelName: 'tcga-6types',
    }),
  );

/** The text content of the element carrying `data-testid="<id>"` (no nested elements of the same tag). */
function byTestId(html: string, id: string): { attrs: string; text: string } | null {
  const m = new RegExp(`<(\\w+)([^>]*data-testid="${id}"[^>]*)>(.*?)</\\1>`, 's').exec(html);
  return m ? { attrs: m[2]!, text: m[3]!.replace(/<[^>]+>/g, '') } : null;
}

describe('the sample page', () => {
  it('says a flagged sample is of unknown type, with the known types, the novelty and the closest type as closest', () => {
    expect(unknownTypeText(prediction(true), KNOWN)).toBe(
      "this sample looks unlike every cancer type the model's heads know (ACC, CHOL, DLBC, KICH, UCS, UVM; " +
        'novelty 3.20, flagged above 1). The closest known type is UVM (probability 61.0%), but the model does not predict it.',
    );
    const html = render(true, 40);
    const notice = byTestId(html, 'unknown-type');
    expect(notice?.text).toContain('Unknown type: this sample looks unlike every cancer type');
    const type = byTestId(html, 'predicted-type')!;
    expect(type.text).toBe('unknown');
    expect(type.attrs).toContain('data-ood="true"');
  });

  it('names the predicted type of a sample that is not flagged, with its probability, novelty and heads', () => {
    const html = render(false, 42.5);
    expect(byTestId(html, 'unknown-type')).toBeNull();
    const type = byTestId(html, 'predicted-type')!;
    expect(type.text).toBe('UVM');
    expect(type.attrs).toContain('data-ood="false"');
    expect(html).toContain('calibrated probability 61.0%; novelty 0.40');
    expect(byTestId(html, 'type-heads')!.text).toContain(
      'heads 988709bc79b7, whole-profile (not panel-matched)',
    );
    expect(byTestId(html, 'risk-percentile')!.text).toBe('42.5');
    expect(byTestId(html, 'risk-fit')!.text).toBe('risk head fitted on 291 patients with 89 deaths');
  });

  it('gives the reference note instead of a percentile when the reference has no survival', () => {
    const html = render(false, null);
    const percentile = byTestId(html, 'risk-percentile')!;
    expect(percentile.attrs).toContain('data-value="null"');
    expect(html).toContain('no reference patient of type UVM has overall survival');
    expect(html).toContain('risk head fitted on 291 patients with 89 deaths');
  });

  it('says whether panel-matched heads answered', () => {
    expect(headsText({ id: 'abc', inputGenes: 64, panelMatched: true })).toBe(
      'heads abc, panel-matched: fitted on the reference seen through the 64 vocabulary genes this sample measures',
    );
    expect(riskFitText({ patients: 1234, events: 5 })).toBe(
      'risk head fitted on 1,234 patients with 5 deaths',
    );
  });

  it('draws each restored value with its interval bar and names the coverage in the legend', () => {
    const html = renderToStaticMarkup(
      createElement(MeasuredRestoredPlot, {
        points: [
          { gene: 'A', measured: 2, restored: 2.5, lower: 1.5, upper: 3.5 },
          { gene: 'B', measured: 4, restored: 3, lower: null, upper: null },
        ],
        label: 'test',
        coverage: 0.9,
      }),
    );
    expect(html.match(/class="restored-interval"/g)).toHaveLength(1);
    expect(html.match(/class="restored-point"/g)).toHaveLength(2);
    expect(html).toContain('90% interval of the restored value');
  });
});

const METRICS = [
  { name: 'whole.accuracy', value: 0.969 },
  { name: 'whole.eceBefore', value: 0.0146 },
  { name: 'panel64.2.accuracy', value: 0.976 },
  { name: 'panel64.1.accuracy', value: 0.962 },
  { name: 'whole.novelty.auroc', value: 0.9956 },
  { name: 'whole.novelty.types', value: 6 },
  { name: 'intervals.coverage90', value: 0.898 },
  { name: 'intervals.coverage30', value: 0.9004 },
  { name: 'somethingElse', value: 2.5 },
];

describe('the models page', () => {
  it('groups the heads’ held-out figures: whole profile and 64-gene panels side by side, intervals, the rest', () => {
    const groups = headsMetricGroups(METRICS);
    expect(groups.typeHead.columns).toEqual(['Whole profile', '64-gene panel 1', '64-gene panel 2']);
    expect(groups.typeHead.rows.map((r) => [r.metric, r.values])).toEqual([
      ['accuracy', [0.969, 0.962, 0.976]],
      ['eceBefore', [0.0146, null, null]],
      ['novelty.auroc', [0.9956, null, null]],
      ['novelty.types', [6, null, null]],
    ]);
    expect(groups.typeHead.rows[0]!.label).toBe('Accuracy (cross-validated)');
    expect(groups.intervals).toEqual([
      { missingPercent: 30, coverage: 0.9004 },
      { missingPercent: 90, coverage: 0.898 },
    ]);
    expect(groups.other).toEqual([{ name: 'somethingElse', value: 2.5 }]);
    expect(showMetric('novelty.types', 6)).toBe('6');
    expect(showMetric('accuracy', 0.96912)).toBe('0.969');
    expect(showMetric('accuracy', null)).toBe('–');
  });

  const version = (headsInfo: unknown) =>
    ({ id: '7', knownCancerTypes: headsInfo ? ['ACC', 'UVM'] : [], headsInfo }) as never;

  it('shows a version’s heads, and says when a version has none', () => {
    const none = renderToStaticMarkup(createElement(HeadsSection, { version: version(null) }));
    expect(none).toContain('No heads: predicts no type or risk.');
    const html = renderToStaticMarkup(
      createElement(HeadsSection, {
        version: version({
          id: '988709bc79b7',
          fittedAt: '2026-12-06T12:52:52.928Z',
          source: 'TCGA files',
          simulated: false,
          samples: 291,
          cancerTypes: [
            { cancerType: 'ACC', samples: 79 },
            { cancerType: 'UVM', samples: 80 },
          ],
          survivalPatients: 288,
          events: 89,
          intervalCoverage: 0.9,
          metrics: METRICS,
        }),
      }),
    );
    expect(byTestId(html, 'heads-types-7')!.text).toContain('ACC (79), UVM (80)');
    expect(byTestId(html, 'heads-survival-7')!.text).toBe('288 patients with overall survival, 89 deaths');
    expect(html).toContain('90% nominal coverage');
    expect(html).toContain('real samples');
    expect(html).toContain('64-gene panel 2');
  });
});

describe('the cohort map', () => {
  it('shows a flagged sample’s predicted type as unknown, never its closest type', () => {
    expect(shownPredictedType({ cancerType: null, outOfDistribution: true })).toBe(UNKNOWN_TYPE);
    expect(shownPredictedType({ cancerType: 'UVM', outOfDistribution: true })).toBe(UNKNOWN_TYPE);
    expect(shownPredictedType({ cancerType: 'UVM', outOfDistribution: false })).toBe('UVM');
    expect(shownPredictedType(null)).toBeNull();
  });

  it('gives unknown its own colour and the last legend entry', () => {
    const categories = typeCategories(['UVM', UNKNOWN_TYPE, null, 'ACC', 'UVM']);
    expect(categories).toEqual(['ACC', 'UVM', UNKNOWN_TYPE]);
    expect(typeColour(UNKNOWN_TYPE, categories)).toBe(UNKNOWN_COLOUR);
    expect(typeColour('ACC', categories)).toBe(categoryColour(0));
    expect(typeColour('UVM', categories)).toBe(categoryColour(1));
    const palette = Array.from({ length: 8 }, (_, i) => categoryColour(i));
    expect(palette).not.toContain(UNKNOWN_COLOUR);
  });

  it('keeps the closest type beside a flagged sample only for its hover text', () => {
    // three points as the API's CohortMap.columns gives them: flagged (closest UVM), ACC, without heads
    const columns = {
      sampleIds: ['1', '2', '3'],
      barcodes: ['a', 'b', 'c'],
      x: [0.1234567891, 1, 2],
      y: [0, 0, 0],
      umapX: [5, 6.1234567891, 7],
      umapY: [-1, -2, -3],
      types: ['UVM', 'ACC'],
      cancerType: [0, 1, 1],
      predictedType: [-1, 1, -1],
      closestType: [0, 1, -1],
      outOfDistribution: [true, false, null],
      risk: [0.1, null, 0.3],
    };
    const scored = { projection: 'PCA' as const, readability: [] };
    const map = unpackMap(packedMap({ explained: [0.5, 0.2], columns, ...scored })!);
    expect(map.points.map((p) => [p.id, p.cancerType, p.predictedType, p.closestType])).toEqual([
      ['1', 'UVM', UNKNOWN_TYPE, 'UVM'],
      ['2', 'ACC', 'ACC', null],
      ['3', 'ACC', null, null],
    ]);
    expect(map.points.map((p) => [p.x, p.risk])).toEqual([
      [0.123457, 0.1],
      [1, null],
      [2, 0.3],
    ]);
    expect(map.explained).toEqual([0.5, 0.2]);
    expect(map.projection).toBe('PCA');
    // the same points by UMAP when asked, or when the API says UMAP reads better
    const byUmap = unpackMap(packedMap({ explained: [0.5, 0.2], columns, ...scored })!, 'UMAP');
    expect(byUmap.points.map((p) => [p.x, p.y])).toEqual([
      [5, -1],
      [6.12346, -2],
      [7, -3],
    ]);
    expect(
      unpackMap(packedMap({ explained: [0.5, 0.2], columns, projection: 'UMAP', readability: [] })!)
        .projection,
    ).toBe('UMAP');
    // a sample flagged with no closest type is still unknown; a map without points is none
    expect(
      unpackMap(
        packedMap({
          explained: [1, 0],
          columns: {
            sampleIds: ['4'],
            barcodes: ['d'],
            x: [0],
            y: [0],
            umapX: [null],
            umapY: [null],
            types: [],
            cancerType: [-1],
            predictedType: [-1],
            closestType: [-1],
            outOfDistribution: [true],
            risk: [null],
          },
          projection: 'PCA',
          readability: [],
        })!,
        'UMAP', // a map without UMAP (fewer than 3 points) is drawn by PCA whatever is asked
      ),
    ).toMatchObject({ projection: 'PCA', points: [{ predictedType: UNKNOWN_TYPE, x: 0 }] });
    expect(packedMap({ explained: [], columns: { ...columns, sampleIds: [] }, ...scored })).toBeNull();
  });
});
