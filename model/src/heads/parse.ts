/**
 * Validation of stored heads (e.g. read back from a JSON database column): checks every field's type
 * and shape and throws one error naming the first bad field.
 */
import type { CancerTypeHead } from './cancerType.ts';
import type { RiskHead } from './risk.ts';

/** The prediction heads of one model. */
export interface Heads {
  cancerType?: CancerTypeHead;
  risk?: RiskHead;
}

/** Thrown by {@link parseHeads}: `message` names the bad field. */
export class InvalidHeadsError extends Error {
  constructor(path: string, problem: string) {
    super(`invalid heads: ${path} ${problem}; refit the heads or restore them from a valid copy`);
    this.name = 'InvalidHeadsError';
  }
}

type Fields = Record<string, unknown>;

function object(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidHeadsError(path, 'must be an object');
  return value as Fields;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidHeadsError(path, 'must be a finite number');
  return value;
}

function count(value: unknown, path: string, min: number): number {
  const v = finite(value, path);
  if (!Number.isInteger(v) || v < min) throw new InvalidHeadsError(path, `must be an integer >= ${min}`);
  return v;
}

function numbers(value: unknown, path: string, length?: number): number[] {
  if (!Array.isArray(value)) throw new InvalidHeadsError(path, 'must be an array of numbers');
  if (length !== undefined && value.length !== length)
    throw new InvalidHeadsError(path, `must have ${length} numbers, has ${value.length}`);
  for (let i = 0; i < value.length; i++) finite(value[i], `${path}[${i}]`);
  return value as number[];
}

function positive(value: unknown, path: string, length: number): number[] {
  const values = numbers(value, path, length);
  values.forEach((v, i) => {
    if (!(v > 0)) throw new InvalidHeadsError(`${path}[${i}]`, 'must be > 0');
  });
  return values;
}

function rows(value: unknown, path: string, nRows: number, width: number): number[][] {
  if (!Array.isArray(value) || value.length !== nRows)
    throw new InvalidHeadsError(path, `must be an array of ${nRows} rows`);
  return value.map((r, i) => numbers(r, `${path}[${i}]`, width));
}

function labels(value: unknown, path: string, min: number): string[] {
  if (!Array.isArray(value) || value.length < min)
    throw new InvalidHeadsError(path, `must be an array of at least ${min} strings`);
  value.forEach((v, i) => {
    if (typeof v !== 'string' || v === '')
      throw new InvalidHeadsError(`${path}[${i}]`, 'must be a non-empty string');
  });
  if (new Set(value).size !== value.length) throw new InvalidHeadsError(path, 'must not repeat a label');
  return value as string[];
}

function kind(fields: Fields, path: string, expected: string): void {
  if (fields.kind !== expected) throw new InvalidHeadsError(`${path}.kind`, `must be "${expected}"`);
}

function parseCancerTypeHead(value: unknown, path: string): CancerTypeHead {
  const f = object(value, path);
  kind(f, path, 'cancer-type');
  const width = count(f.width, `${path}.width`, 1);
  const classes = labels(f.classes, `${path}.classes`, 2);
  const metrics = object(f.metrics, `${path}.metrics`);
  return {
    kind: 'cancer-type',
    width,
    classes,
    mean: numbers(f.mean, `${path}.mean`, width),
    sd: positive(f.sd, `${path}.sd`, width),
    weights: rows(f.weights, `${path}.weights`, classes.length, width),
    intercepts: numbers(f.intercepts, `${path}.intercepts`, classes.length),
    l2: finite(f.l2, `${path}.l2`),
    temperature: f.temperature === undefined ? 1 : positive([f.temperature], `${path}.temperature`, 1)[0]!,
    trainedOn: count(f.trainedOn, `${path}.trainedOn`, 1),
    metrics: {
      trainAccuracy: finite(metrics.trainAccuracy, `${path}.metrics.trainAccuracy`),
      ...(metrics.cvAccuracy === undefined
        ? {}
        : { cvAccuracy: finite(metrics.cvAccuracy, `${path}.metrics.cvAccuracy`) }),
    },
  };
}

function parseRiskHead(value: unknown, path: string): RiskHead {
  const f = object(value, path);
  kind(f, path, 'risk');
  const width = count(f.width, `${path}.width`, 1);
  if (!Array.isArray(f.components) || f.components.length === 0)
    throw new InvalidHeadsError(`${path}.components`, 'must be a non-empty array of rows');
  const k = f.components.length;
  const reference = numbers(f.reference, `${path}.reference`);
  if (reference.length === 0) throw new InvalidHeadsError(`${path}.reference`, 'must not be empty');
  reference.forEach((v, i) => {
    if (i > 0 && v < reference[i - 1]!)
      throw new InvalidHeadsError(`${path}.reference`, 'must be sorted ascending');
  });
  const metrics = object(f.metrics, `${path}.metrics`);
  return {
    kind: 'risk',
    width,
    mean: numbers(f.mean, `${path}.mean`, width),
    sd: positive(f.sd, `${path}.sd`, width),
    components: rows(f.components, `${path}.components`, k, width),
    scoreSd: positive(f.scoreSd, `${path}.scoreSd`, k),
    coefficients: numbers(f.coefficients, `${path}.coefficients`, k),
    centre: numbers(f.centre, `${path}.centre`, k),
    ridge: finite(f.ridge, `${path}.ridge`),
    ...(f.strata === undefined ? {} : { strata: labels(f.strata, `${path}.strata`, 1) }),
    trainedOn: count(f.trainedOn, `${path}.trainedOn`, 1),
    events: count(f.events, `${path}.events`, 1),
    metrics: { trainConcordance: finite(metrics.trainConcordance, `${path}.metrics.trainConcordance`) },
    reference,
  };
}

/**
 * Validates heads read back from JSON (e.g. `JSON.parse` of a stored column) and returns them typed.
 * Unknown top-level keys are rejected; `null` or a missing key means the head is absent.
 */
export function parseHeads(json: unknown): Heads {
  const f = object(json, 'heads');
  for (const key of Object.keys(f))
    if (key !== 'cancerType' && key !== 'risk')
      throw new InvalidHeadsError(`heads.${key}`, 'is not a known head (expected cancerType and/or risk)');
  const heads: Heads = {};
  if (f.cancerType != null) heads.cancerType = parseCancerTypeHead(f.cancerType, 'heads.cancerType');
  if (f.risk != null) heads.risk = parseRiskHead(f.risk, 'heads.risk');
  return heads;
}
