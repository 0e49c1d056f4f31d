// The portal's pure pieces: Kaplan-Meier bands against R's survfit, table search/sort/pages, TSV, config,
// gate records, restoration agreement.
import fs from 'node:fs';
import path from 'node:path';
import { sharedDir } from '@gexbert/core/test-support/shared';
import { kaplanMeier } from '@gexbert/model/survival';
import { describe, expect, it, vi } from 'vitest';
import { pageOf, searchRows, sortRows, type TableRow } from '../src/components/tableModel.ts';
import { loadPortalConfig } from '../src/config.ts';
import { CohortListDocument } from '../src/generated/graphql.ts';
import { loadPortalLaunchConfig } from '../src/launch/config.ts';
import { ApiError, apiRequest } from '../src/lib/api.ts';
import { riskColour } from '../src/lib/embeddingMap.ts';
import { formatPValue } from '../src/lib/format.ts';
import { parseGeneList } from '../src/lib/genes.ts';
import { pearsonHistogram } from '../src/lib/imputation.ts';
import { gateSummary, numericMetrics } from '../src/lib/modelMetrics.ts';
import { panelSplit } from '../src/lib/panelGenes.ts';
import { agreement, intervalHits, nominalCoverage, pairedValues } from '../src/lib/restoration.ts';
import { atRiskAt, confidenceBand, niceTicks, survivalAt } from '../src/lib/survivalBands.ts';
import { toTsv } from '../src/lib/tsv.ts';

interface RRow {
  time: number;
  n_risk: number;
  n_event: number;
  surv: number;
  lower: number | null;
  upper: number | null;
}

describe('Kaplan-Meier bands', () => {
  const fixture = JSON.parse(
    fs.readFileSync(path.join(sharedDir(), 'fixtures/survival/stad_kaplan_meier.json'), 'utf8'),
  ) as { all: { conf_type: string; table: RRow[] } };
  const table = fixture.all.table;
  const curve = table.map((r) => ({
    timeDays: r.time,
    survival: r.surv,
    atRisk: r.n_risk,
    events: r.n_event,
  }));

  it('match R survfit (conf.type "log") on the TCGA-STAD fixture', () => {
    expect(fixture.all.conf_type).toBe('log');
    const band = confidenceBand(curve);
    expect(band.length).toBeGreaterThan(100);
    for (const [i, b] of band.entries()) {
      const r = table[i]!;
      if (r.lower === null || r.upper === null) break;
      expect(b.lower).toBeCloseTo(r.lower, 9);
      expect(b.upper).toBeCloseTo(r.upper, 9);
    }
  });

  it('equal, bit for bit, the library kaplanMeier band (the one definition) on the TCGA-STAD patients', () => {
    const input = JSON.parse(
      fs.readFileSync(path.join(sharedDir(), 'fixtures/survival/stad_input.json'), 'utf8'),
    ) as { rows: { time: number; OS_status: 0 | 1 }[] };
    const km = kaplanMeier({
      time: input.rows.map((r) => r.time),
      event: input.rows.map((r) => r.OS_status),
    });
    const points = km.time.map((t, i) => ({
      timeDays: t,
      survival: km.surv[i]!,
      atRisk: km.nRisk[i]!,
      events: km.nEvent[i]!,
    }));
    const band = confidenceBand(points);
    expect(band.length).toBeGreaterThan(100);
    for (const [i, b] of band.entries()) expect([b.lower, b.upper]).toEqual([km.lower[i], km.upper[i]]);
  });

  it('count patients at risk and read survival at any time', () => {
    expect(atRiskAt(curve, 0)).toBe(table[0]!.n_risk);
    const k = 40;
    expect(atRiskAt(curve, table[k]!.time)).toBe(table[k]!.n_risk);
    expect(atRiskAt(curve, table.at(-1)!.time + 1)).toBe(0);
    expect(survivalAt(curve, 0)).toBe(1);
    expect(survivalAt(curve, table[k]!.time)).toBe(table[k]!.surv);
  });

  it('ticks are round and cover the range', () => {
    expect(niceTicks(9.3, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0)).toEqual([0]);
  });
});

describe('tables', () => {
  const rows: TableRow[] = [
    { key: 'a', cells: [{ value: 'TCGA-OR-A5J1-01' }, { value: 12 }] },
    { key: 'b', cells: [{ value: 'TCGA-OR-A5J2-01' }, { value: null }] },
    { key: 'c', cells: [{ value: 'TCGA-W5-AA2I-01' }, { value: 3 }] },
  ];
  it('search case-insensitively in every cell', () => {
    expect(searchRows(rows, 'or-a5').map((r) => r.key)).toEqual(['a', 'b']);
    expect(searchRows(rows, '  ')).toHaveLength(3);
  });
  it('sort numbers numerically with missing values last both ways', () => {
    expect(sortRows(rows, { column: 1, descending: false }).map((r) => r.key)).toEqual(['c', 'a', 'b']);
    expect(sortRows(rows, { column: 1, descending: true }).map((r) => r.key)).toEqual(['a', 'c', 'b']);
  });
  it('page with clamping', () => {
    const numbers = Array.from({ length: 53 }, (_, i) => i);
    expect(pageOf(numbers, 2, 25)).toEqual({ rows: [50, 51, 52], pages: 3, page: 2 });
    expect(pageOf(numbers, 9, 25).page).toBe(2);
    expect(pageOf([], 0, 25)).toEqual({ rows: [], pages: 1, page: 0 });
  });
  it('download as TSV without tabs or new lines inside cells', () => {
    expect(
      toTsv(
        ['a', 'b'],
        [
          ['x\ty', null],
          [1.5, 'two\nlines'],
        ],
      ),
    ).toBe('a\tb\nx y\t\n1.5\ttwo lines\n');
  });
});

describe('settings and input', () => {
  it('the portal needs the API URL (no token of its own), and names the variable when one is wrong', () => {
    expect(() => loadPortalConfig({})).toThrow(/GEXBERT_PORTAL_API_URL/);
    const config = loadPortalConfig({ GEXBERT_PORTAL_API_URL: 'http://127.0.0.1:4000/graphql' });
    expect(config.pageSize).toBe(500);
    expect(config.anonymousToken).toBeUndefined();
    expect(config.sessionIdleMinutes).toBe(480);
    expect(loadPortalLaunchConfig({}).anonymous).toBe('off');
    expect(() => loadPortalLaunchConfig({ GEXBERT_PORTAL_ANONYMOUS: 'write' })).toThrow(
      /GEXBERT_PORTAL_ANONYMOUS/,
    );
    expect(() => loadPortalLaunchConfig({ GEXBERT_PORTAL_PORT: 'eighty' })).toThrow(/GEXBERT_PORTAL_PORT/);
    expect(loadPortalLaunchConfig({}).port).toBe(3000);
  });
  it('gene lists and p-values', () => {
    expect(parseGeneList('tp53, TP53 egfr;\nENSG00000141510')).toEqual(['TP53', 'EGFR', 'ENSG00000141510']);
    expect(parseGeneList('')).toContain('GAPDH');
    expect(formatPValue(0.04567)).toBe('0.0457');
    expect(formatPValue(1.234e-7)).toBe('1.23e-7');
  });
});

describe('the API client', () => {
  it('names the API URL when the API cannot be reached', async () => {
    vi.stubEnv('GEXBERT_PORTAL_API_URL', 'http://127.0.0.1:9/graphql');
    try {
      const error = await apiRequest(CohortListDocument, {}, 'gxb_unused').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).unreachable).toBe(true);
      expect((error as ApiError).message).toMatch(
        /GraphQL API at http:\/\/127\.0\.0\.1:9\/graphql cannot be reached/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('model panels', () => {
  it('read the promotion gate record into candidate-vs-active rows', () => {
    const gate = gateSummary({
      decision: 'HELD',
      reason: 'restoration loss is worse',
      comparedWith: { id: 1, name: 'tcga-6types' },
      validationSamples: 29,
      candidate: { restorationLoss: 0.3, cancerTypeAccuracy: 0.9, riskConcordance: null },
      active: { restorationLoss: 0.25, cancerTypeAccuracy: 0.88, riskConcordance: 0.6 },
      checks: [{ metric: 'restorationLoss', candidate: 0.3, active: 0.25, worse: true }],
    });
    expect(gate).toEqual({
      decision: 'HELD',
      reason: 'restoration loss is worse',
      comparedWith: 'tcga-6types',
      validationSamples: 29,
      rows: [
        { metric: 'restorationLoss', candidate: 0.3, active: 0.25, worse: true },
        { metric: 'cancerTypeAccuracy', candidate: 0.9, active: 0.88, worse: false },
        { metric: 'riskConcordance', candidate: null, active: 0.6, worse: false },
      ],
    });
    expect(gateSummary(null)).toBeNull();
    expect(numericMetrics({ steps: 2700, engine: 'onnx', bestValLoss: 0.25 })).toEqual([
      ['steps', 2700],
      ['bestValLoss', 0.25],
    ]);
  });

  it('pair measured with restored values and measure their agreement', () => {
    const gene = (symbol: string) => ({ ensemblId: `ENSG_${symbol}`, symbol });
    const interval = (lower: number | null, upper: number | null) => ({
      lower,
      upper,
      coverage: lower === null ? null : 0.9,
    });
    const rows = [
      { query: 'A', inVocabulary: true, value: 2, measuredValue: 1, gene: gene('A'), ...interval(0.5, 3) },
      { query: 'B', inVocabulary: true, value: 4, measuredValue: 2, gene: gene('B'), ...interval(3, 5) },
      {
        query: 'C',
        inVocabulary: true,
        value: 6,
        measuredValue: 3,
        gene: gene('C'),
        ...interval(null, null),
      },
      {
        query: 'D',
        inVocabulary: false,
        value: null,
        measuredValue: 5,
        gene: gene('D'),
        ...interval(null, null),
      },
    ];
    const points = pairedValues(rows);
    expect(points.map((p) => p.gene)).toEqual(['A', 'B', 'C']);
    expect(points.map((p) => [p.lower, p.upper])).toEqual([
      [0.5, 3],
      [3, 5],
      [null, null],
    ]);
    // A holds its measured 1 inside [0.5, 3]; B's measured 2 is below [3, 5]; C has no interval.
    expect(intervalHits(points)).toEqual({ withInterval: 2, inside: 1 });
    expect(nominalCoverage(rows)).toBe(0.9);
    expect(nominalCoverage(rows.slice(2))).toBeNull();
    // restored = 2 × measured: perfectly correlated; mean |difference| = (1 + 2 + 3) / 3.
    expect(agreement(points)).toEqual({ r: 1, mae: 2 });
    expect(agreement(points.slice(0, 2))).toBeNull();
  });

  it('colour risk from blue through grey to vermilion', () => {
    expect(riskColour(0)).toBe('rgb(0,114,178)');
    expect(riskColour(0.5)).toBe('rgb(190,190,190)');
    expect(riskColour(1)).toBe('rgb(213,94,0)');
    expect(riskColour(7)).toBe(riskColour(1));
  });
});

describe('the 64-gene panel and imputation quality', () => {
  it('splits a vocabulary into the first 64 genes (input) and the rest (held out)', () => {
    const vocabulary = Array.from({ length: 100 }, (_, i) => ({ ensemblId: `G${i}` }));
    const { panel, heldOut } = panelSplit(vocabulary);
    expect(panel).toEqual(vocabulary.slice(0, 64).map((g) => g.ensemblId));
    expect(heldOut).toEqual(vocabulary.slice(64).map((g) => g.ensemblId));
    expect(panelSplit([])).toEqual({ panel: [], heldOut: [] });
  });

  it('bins per-gene Pearson r by 0.1 from the lowest occupied bin up to 1, highest first', () => {
    const values = [0.95, 1, 0.91, 0.45, 0.5, null, Number.NaN, 0.05];
    const bars = pearsonHistogram(values);
    expect(bars.map((b) => b.label)).toEqual([
      '0.9 to 1.0',
      '0.8 to 0.9',
      '0.7 to 0.8',
      '0.6 to 0.7',
      '0.5 to 0.6',
      '0.4 to 0.5',
      '0.3 to 0.4',
      '0.2 to 0.3',
      '0.1 to 0.2',
      '0.0 to 0.1',
    ]);
    expect(bars.map((b) => b.segments[0]!.value)).toEqual([3, 0, 0, 0, 1, 1, 0, 0, 0, 1]);
    expect(pearsonHistogram([null])).toEqual([]);
    expect(
      pearsonHistogram([-0.15])
        .map((b) => b.label)
        .at(-1),
    ).toBe('-0.2 to -0.1');
  });
});
