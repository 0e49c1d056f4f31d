/** Bad inputs to the heads give one clear error each; stored heads are validated field by field. */
import { describe, expect, it } from 'vitest';
import { fitCancerTypeHead, predictCancerType } from '../../src/heads/cancerType.ts';
import { InvalidHeadsError, parseHeads } from '../../src/heads/parse.ts';
import { fitRiskHead, riskPercentile, riskScore } from '../../src/heads/risk.ts';
import { createRandom, randomNormal } from '../../src/random/random.ts';

const random = createRandom(5);
/** 40 embeddings of width 4, two well-separated groups; 12 events. */
const embeddings = Array.from({ length: 40 }, (_, i) =>
  Float32Array.from({ length: 4 }, (_, j) => randomNormal(random) + (j === 0 && i % 2 ? 3 : 0)),
);
const labels = embeddings.map((_, i) => (i % 2 ? 'B' : 'A'));
const time = embeddings.map((_, i) => 100 + 37 * i);
const event = embeddings.map((_, i) => i % 3 === 0 && i < 36);

describe('fitting errors', () => {
  it('rejects fewer than two classes', () => {
    expect(() =>
      fitCancerTypeHead(
        embeddings,
        labels.map(() => 'A'),
      ),
    ).toThrow(/at least 2 classes, got 1/);
  });
  it('rejects mismatched lengths', () => {
    expect(() => fitCancerTypeHead(embeddings, labels.slice(1))).toThrow(/39 labels for 40 embeddings/);
    expect(() => fitRiskHead(embeddings, time.slice(1), event)).toThrow(
      /39 survival times for 40 embeddings/,
    );
    expect(() => fitRiskHead(embeddings, time, event.slice(2))).toThrow(/38 event flags for 40 embeddings/);
  });
  it('rejects embeddings of different widths', () => {
    const mixed = [...embeddings.slice(0, 39), new Float32Array(5)];
    expect(() => fitCancerTypeHead(mixed, labels)).toThrow(/embedding 39 has width 5 but embedding 0 has 4/);
  });
  it('rejects NaN', () => {
    const bad = embeddings.map((e, i) =>
      i === 7 ? Float32Array.from(e, (v, j) => (j === 2 ? Number.NaN : v)) : e,
    );
    expect(() => fitRiskHead(bad, time, event)).toThrow(
      /embedding 7 has a non-finite value \(NaN\) at dimension 2/,
    );
    expect(() => fitRiskHead(embeddings, time.with(3, Number.NaN), event)).toThrow(/survival time 3 is NaN/);
  });
  it('rejects fewer than 5 events', () => {
    const few = event.map((_, i) => i < 4);
    expect(() => fitRiskHead(embeddings, time, few)).toThrow(/at least 5 observed events, got 4/);
  });
  it('rejects impossible component counts', () => {
    expect(() => fitRiskHead(embeddings, time, event, { components: 5 })).toThrow(
      /components must be an integer in \[1, 4\]/,
    );
  });
  it('rejects embeddings of the wrong width at prediction', () => {
    const head = fitCancerTypeHead(embeddings, labels);
    expect(() => predictCancerType(head, new Float32Array(3))).toThrow(/width 4, got 3/);
    const risk = fitRiskHead(embeddings, time, event);
    expect(() => riskScore(risk, new Float32Array(8))).toThrow(/width 4, got 8/);
    expect(() => riskPercentile(risk, Number.NaN)).toThrow(/finite/);
  });
});

describe('parseHeads', () => {
  const cancerType = fitCancerTypeHead(embeddings, labels, { cvFolds: 0 });
  const risk = fitRiskHead(embeddings, time, event, { components: 2 });
  const stored = () => JSON.parse(JSON.stringify({ cancerType, risk }));

  it('accepts valid heads, one head alone, and no heads', () => {
    expect(parseHeads(stored())).toEqual({ cancerType, risk });
    expect(cancerType.metrics.cvAccuracy).toBeUndefined();
    expect(parseHeads({ risk: stored().risk })).toEqual({ risk });
    expect(parseHeads({})).toEqual({});
  });

  it('names the first bad field', () => {
    const cases: [(h: ReturnType<typeof stored>) => unknown, RegExp][] = [
      [() => 'heads', /heads must be an object/],
      [(h) => ({ ...h, extra: 1 }), /heads\.extra is not a known head/],
      [
        (h) => ({ ...h, cancerType: { ...h.cancerType, kind: 'risk' } }),
        /heads\.cancerType\.kind must be "cancer-type"/,
      ],
      [
        (h) => ({ ...h, cancerType: { ...h.cancerType, sd: [1, 1, 0, 1] } }),
        /heads\.cancerType\.sd\[2\] must be > 0/,
      ],
      [
        (h) => ({ ...h, cancerType: { ...h.cancerType, weights: [h.cancerType.weights[0], [1, 2, 3]] } }),
        /heads\.cancerType\.weights\[1\] must have 4 numbers, has 3/,
      ],
      [
        (h) => ({ ...h, risk: { ...h.risk, coefficients: [null, 1] } }),
        /heads\.risk\.coefficients\[0\] must be a finite number/,
      ],
      [
        (h) => ({ ...h, risk: { ...h.risk, reference: [2, 1] } }),
        /heads\.risk\.reference must be sorted ascending/,
      ],
      [
        (h) => ({ ...h, risk: { ...h.risk, metrics: {} } }),
        /heads\.risk\.metrics\.trainConcordance must be a finite number/,
      ],
    ];
    for (const [corrupt, message] of cases) {
      const run = () => parseHeads(corrupt(stored()));
      expect(run).toThrow(InvalidHeadsError);
      expect(run).toThrow(message);
    }
  });
});
