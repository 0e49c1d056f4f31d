// A synthetic TCGA-like cohort with known ground truth: per-gene baselines and dispersions, cancer-type
// expression programs, a tumour-vs-normal program, co-expressed modules, library sizes, and overall survival
// from a Weibull proportional-hazards model. Counts are not stored: `geneCounts` draws one gene row at a
// time from that gene's own random stream, so a 10,000 x 20,000 cohort can be streamed to disk.
//
// Model for the count of gene g in sample i (all logs natural):
//   mu[g,i] = exp(logProportion[g] + typeLogFold[g,type(i)] + tumour(i) * tumourLogFold[g]
//                 + loading[g] * moduleActivity[module(g), i] + latentLoading[g] * geneLatent[k(g), i])
//             * sampleScale[i]
//   count[g,i] ~ NB(mean mu, dispersion phi[g]) = Poisson(Gamma(1 / phi, mu * phi))
// sampleScale[i] = libSize[i] / sum_g exp(log mean share of g in i), so E[column total] = libSize[i] exactly.
// Survival (one row per patient, from the patient's primary-tumour sample i):
//   logHazard = sum_m hazardCoef[m] * moduleActivity[m,i] + sum_k coef[k] * geneLatent[k,i] + typeHazard[type]
//   (centred to mean 0), event time T with H(t) = (t / scale)^shape * exp(logHazard), independent censoring
//   C = min(Exp(censoringRate), maxFollowupDays) with the rate solved so that the expected censored fraction
//   equals the configured one.

import { createRng, type Rng } from './random.ts';

export interface CohortOptions {
  /** Count-matrix columns, matched normals included. */
  samples: number;
  genes: number;
  /** Number of cancer types (named SIM1..SIMT) or their names (letters, digits, `_`, `-`, `.`). */
  types: number | readonly string[];
  /** Non-negative safe integer; default 1. Same seed and options => identical cohort. */
  seed?: number;
  /** Gene identifiers used in count files (default `SIMG00001`, ...; unique, no whitespace). */
  geneIds?: readonly string[];
  /** Gene symbols for genes.tsv (default: the identifiers). */
  geneSymbols?: readonly string[];
  /** Relative cancer-type sizes (default: drawn from Gamma(3), so types differ in size like TCGA's). */
  typeWeights?: readonly number[];
  /** Number of co-expressed modules (default min(10, floor(genes / 50))). */
  modules?: number;
  /** Genes per module (default clamp(round(genes / 400), 8, 50)). */
  moduleSize?: number;
  /** Module loadings (log scale, per unit module activity) are drawn uniform in [min, max]. Default [0.5, 1]. */
  moduleLoading?: readonly [number, number];
  /** Genes up/down-regulated in each cancer type's program (default max(3, round(0.02 * genes))). */
  programSize?: number;
  /** Mean absolute log fold change of program genes (natural log; default 1, i.e. about 2.7x). */
  programLogFold?: number;
  /** Fraction of columns that are matched solid-tissue normals, sample type 11 (default 0.05). */
  normalFraction?: number;
  /** Fraction of genes with very low expression, around 1 count at 25M reads (default 0.3). */
  lowExpressionFraction?: number;
  /** Median library size in reads (default 25e6). */
  libSizeMedian?: number;
  /** SD of log library size (default 0.35: 95% of libraries within 12.6M..49.7M at the default median). */
  libSizeLogSd?: number;
  /** Median NB dispersion phi = 1 / theta over genes (default 0.15). */
  dispersionMedian?: number;
  /** SD of log dispersion over genes (default 0.5). */
  dispersionLogSd?: number;
  /** Modules whose activity enters the log-hazard (default min(3, modules)). */
  prognosticModules?: number;
  /** Single genes whose own latent factor enters the log-hazard (default min(5, floor(genes / 100))). */
  prognosticGenes?: number;
  /** Log-scale loading of a prognostic gene on its own latent factor (default 0.8). */
  prognosticGeneLoading?: number;
  /** SD of the per-type log-hazard offsets (default 0.4). */
  typeHazardSd?: number;
  /** Weibull baseline shape (default 1.2; 1 = exponential). */
  weibullShape?: number;
  /** Median survival time in days at log-hazard 0 (default 1500). */
  medianSurvivalDays?: number;
  /** Target fraction of censored patients, 0..0.95 (default 0.4). */
  censoring?: number;
  /** Administrative end of follow-up in days (default 5475, 15 years). */
  maxFollowupDays?: number;
  /** Fraction of patients whose OS time is missing (`NA`) in clinical.tsv (default 0). */
  missingClinicalFraction?: number;
}

export type ResolvedCohortOptions = Required<Omit<CohortOptions, 'types' | 'geneIds' | 'geneSymbols'>> & {
  types: number;
};

/** Per-gene parameters; all arrays have length G unless stated. */
export interface SimGenes {
  ids: readonly string[];
  symbols: readonly string[];
  /** 1 = low-expressed class (written as gene_type lncRNA), 0 = expressed (protein_coding). Uint8Array [G] */
  lowExpressed: Uint8Array;
  /** Natural log of the gene's baseline share of a library; exp() sums to 1 over genes. Float64Array [G] */
  logProportion: Float64Array;
  /** NB dispersion phi (variance = mu + phi * mu^2). Float64Array [G] */
  dispersion: Float64Array;
  /** Module index, -1 for none. Int32Array [G] */
  module: Int32Array;
  /** Log-scale loading on the module activity, 0 for none. Float64Array [G] */
  loading: Float64Array;
  /** Index into `samples.geneLatent` / `truth.prognosticGenes`, -1 for none. Int32Array [G] */
  prognostic: Int32Array;
  /** Log-scale loading on the gene's own latent factor (prognostic genes), 0 for none. Float64Array [G] */
  latentLoading: Float64Array;
  /** Log fold change of gene g in type t, gene-major: [g * T + t]. Float64Array [G * T] */
  typeLogFold: Float64Array;
  /** Log fold change in primary tumours relative to normals. Float64Array [G] */
  tumourLogFold: Float64Array;
}

/** Per-sample (count-matrix column) data; arrays have length N unless stated. Columns are grouped by type. */
export interface SimSamples {
  /** Aliquot barcodes `GXSM-<site>-<patient>-<01|11>A-01R-0000-07` (28 characters). */
  barcodes: readonly string[];
  /** Cancer-type index. Uint16Array [N] */
  type: Uint16Array;
  /** 1 = solid-tissue normal (sample type 11), 0 = primary tumour (01). Uint8Array [N] */
  normal: Uint8Array;
  /** Patient index. Uint32Array [N] */
  patient: Uint32Array;
  /** Columns of type t are typeOffsets[t] .. typeOffsets[t + 1] - 1. Uint32Array [T + 1] */
  typeOffsets: Uint32Array;
  /** Expected total reads (the column total's expectation). Float64Array [N] */
  libSize: Float64Array;
  /** libSize divided by the sample's sum of exp(log mean share): mu = exp(log share) * sampleScale. [N] */
  sampleScale: Float64Array;
  /** Module activity ~ N(0, 1), module-major: [m * N + i]. Float64Array [M * N] */
  moduleActivity: Float64Array;
  /** Latent factor ~ N(0, 1) of each prognostic gene, gene-major: [k * N + i]. Float64Array [K * N] */
  geneLatent: Float64Array;
}

/** Per-patient data; arrays have length P (patients = samples - normals). */
export interface SimPatients {
  /** 12-character patient barcodes `GXSM-<site>-<patient>`. */
  ids: readonly string[];
  /** Cancer-type index. Uint16Array [P] */
  type: Uint16Array;
  /** Column index of the patient's primary-tumour sample. Uint32Array [P] */
  tumourSample: Uint32Array;
  /** True log-hazard (centred to mean 0 over patients). Float64Array [P] */
  logHazard: Float64Array;
  /** Latent event time in days (before censoring, not rounded). Float64Array [P] */
  eventTime: Float64Array;
  /** Observed time in whole days, >= 1. Int32Array [P] */
  time: Int32Array;
  /** 1 = died at `time`, 0 = censored at `time`. Uint8Array [P] */
  event: Uint8Array;
  /** 1 = OS time reported as NA in clinical.tsv. Uint8Array [P] */
  missing: Uint8Array;
}

export interface ModuleTruth {
  name: string;
  /** Gene indices. */
  genes: number[];
  /** Log-scale loadings, parallel to `genes`. */
  loadings: number[];
  /** Log-hazard per unit activity (0 = not prognostic). */
  hazardCoef: number;
}

export interface PrognosticGeneTruth {
  gene: number;
  /** Log-hazard per unit of the gene's N(0, 1) latent factor. */
  coef: number;
  /** Log expression per unit latent; coef / loading = log-hazard per unit of log expression. */
  loading: number;
}

export interface ProgramTruth {
  /** Type index, or -1 for the tumour-vs-normal program. */
  type: number;
  genes: number[];
  logFold: number[];
}

export interface GroundTruth {
  modules: ModuleTruth[];
  prognosticGenes: PrognosticGeneTruth[];
  /** Log-hazard offset per type (before centring). Float64Array [T] */
  typeHazard: Float64Array;
  /** One program per cancer type. */
  programs: ProgramTruth[];
  tumourProgram: ProgramTruth;
  survival: {
    baseline: 'weibull';
    shape: number;
    /** Weibull scale in days: S0(t) = exp(-(t / scale)^shape). */
    scale: number;
    /** Rate (per day) of the exponential censoring times. */
    censoringRate: number;
    maxFollowupDays: number;
    /** Mean of the raw log-hazards that was subtracted. */
    logHazardOffset: number;
  };
}

export interface Cohort {
  options: ResolvedCohortOptions;
  typeNames: readonly string[];
  genes: SimGenes;
  samples: SimSamples;
  patients: SimPatients;
  truth: GroundTruth;
}

// Random streams: fixed ids so that changing one part of the model does not reshuffle the others.
const STREAM_GENES = 1;
const STREAM_SAMPLES = 2;
const STREAM_LATENT = 3;
const STREAM_SURVIVAL = 4;
const STREAM_BARCODES = 5; // where a seed's barcodes start: its own stream, so the other draws are unchanged
const STREAM_COUNTS = 1_000_000; // + gene index

const EXPRESSED_LOG_SD = 1.5; // log-abundance spread of expressed genes
const LOW_LOG_SHIFT = -6.5; // low-expressed genes sit ~670x below the expressed median
const LOW_LOG_SD = 1.2;
const MAX_PATIENTS = 36 ** 4 - 1; // four base-36 characters
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function checkNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number in [${min}, ${max}], got ${value}`);
  }
}

function resolveOptions(opts: CohortOptions): { options: ResolvedCohortOptions; typeNames: string[] } {
  checkInt('samples', opts.samples, 1);
  checkInt('genes', opts.genes, 1);
  let typeNames: string[];
  if (typeof opts.types === 'number') {
    checkInt('types', opts.types, 1, 65535);
    typeNames = Array.from({ length: opts.types }, (_, t) => `SIM${t + 1}`);
  } else {
    typeNames = [...opts.types];
    if (typeNames.length === 0) throw new RangeError('types must not be empty');
    for (const name of typeNames) {
      if (!NAME_PATTERN.test(name))
        throw new RangeError(`type name ${JSON.stringify(name)} is not file-safe`);
    }
    if (new Set(typeNames).size !== typeNames.length) throw new RangeError('type names must be unique');
  }
  const genes = opts.genes;
  const modules = opts.modules ?? Math.min(10, Math.floor(genes / 50));
  const options: ResolvedCohortOptions = {
    samples: opts.samples,
    genes,
    types: typeNames.length,
    seed: opts.seed ?? 1,
    typeWeights: opts.typeWeights ?? [],
    modules,
    moduleSize: opts.moduleSize ?? Math.min(50, Math.max(8, Math.round(genes / 400))),
    moduleLoading: opts.moduleLoading ?? [0.5, 1],
    programSize: opts.programSize ?? Math.max(3, Math.round(0.02 * genes)),
    programLogFold: opts.programLogFold ?? 1,
    normalFraction: opts.normalFraction ?? 0.05,
    lowExpressionFraction: opts.lowExpressionFraction ?? 0.3,
    libSizeMedian: opts.libSizeMedian ?? 25e6,
    libSizeLogSd: opts.libSizeLogSd ?? 0.35,
    dispersionMedian: opts.dispersionMedian ?? 0.15,
    dispersionLogSd: opts.dispersionLogSd ?? 0.5,
    prognosticModules: opts.prognosticModules ?? Math.min(3, modules),
    prognosticGenes: opts.prognosticGenes ?? Math.min(5, Math.floor(genes / 100)),
    prognosticGeneLoading: opts.prognosticGeneLoading ?? 0.8,
    typeHazardSd: opts.typeHazardSd ?? 0.4,
    weibullShape: opts.weibullShape ?? 1.2,
    medianSurvivalDays: opts.medianSurvivalDays ?? 1500,
    censoring: opts.censoring ?? 0.4,
    maxFollowupDays: opts.maxFollowupDays ?? 5475,
    missingClinicalFraction: opts.missingClinicalFraction ?? 0,
  };
  const o = options;
  checkInt('seed', o.seed, 0);
  if (o.typeWeights.length > 0) {
    if (o.typeWeights.length !== o.types) throw new RangeError('typeWeights must have one weight per type');
    for (const w of o.typeWeights) checkNumber('typeWeights[]', w, Number.MIN_VALUE, Number.MAX_VALUE);
  }
  checkInt('modules', o.modules, 0);
  checkInt('moduleSize', o.moduleSize, 1);
  checkNumber('moduleLoading[0]', o.moduleLoading[0], 0, 10);
  checkNumber('moduleLoading[1]', o.moduleLoading[1], o.moduleLoading[0], 10);
  checkInt('programSize', o.programSize, 0);
  checkNumber('programLogFold', o.programLogFold, 0, 20);
  checkNumber('normalFraction', o.normalFraction, 0, 0.5);
  checkNumber('lowExpressionFraction', o.lowExpressionFraction, 0, 1);
  checkNumber('libSizeMedian', o.libSizeMedian, 1, 1e12);
  checkNumber('libSizeLogSd', o.libSizeLogSd, 0, 5);
  checkNumber('dispersionMedian', o.dispersionMedian, 1e-8, 100);
  checkNumber('dispersionLogSd', o.dispersionLogSd, 0, 5);
  checkInt('prognosticModules', o.prognosticModules, 0, o.modules);
  checkInt('prognosticGenes', o.prognosticGenes, 0);
  checkNumber('prognosticGeneLoading', o.prognosticGeneLoading, 0, 10);
  checkNumber('typeHazardSd', o.typeHazardSd, 0, 10);
  checkNumber('weibullShape', o.weibullShape, 0.05, 20);
  checkNumber('medianSurvivalDays', o.medianSurvivalDays, 1, 1e7);
  checkNumber('censoring', o.censoring, 0, 0.95);
  checkNumber('maxFollowupDays', o.maxFollowupDays, 1, 1e7);
  checkNumber('missingClinicalFraction', o.missingClinicalFraction, 0, 1);
  const normals = Math.round(o.samples * o.normalFraction);
  const patients = o.samples - normals;
  if (patients < o.types) {
    throw new RangeError(`${o.samples} samples leave ${patients} patients for ${o.types} cancer types`);
  }
  if (patients > MAX_PATIENTS) throw new RangeError(`at most ${MAX_PATIENTS} patients are supported`);
  return { options, typeNames };
}

function geneNames(opts: CohortOptions, genes: number): { ids: string[]; symbols: string[] } {
  const width = Math.max(5, String(genes).length);
  const ids = opts.geneIds
    ? [...opts.geneIds]
    : Array.from({ length: genes }, (_, g) => `SIMG${String(g + 1).padStart(width, '0')}`);
  const symbols = opts.geneSymbols ? [...opts.geneSymbols] : ids;
  for (const [what, list] of [
    ['geneIds', ids],
    ['geneSymbols', symbols],
  ] as const) {
    if (list.length !== genes) throw new RangeError(`${what} must have ${genes} entries, got ${list.length}`);
    for (const s of list) {
      if (s.length === 0 || /\s/.test(s))
        throw new RangeError(`${what} entry ${JSON.stringify(s)} is invalid`);
    }
  }
  if (new Set(ids).size !== ids.length) throw new RangeError('geneIds must be unique');
  return { ids, symbols };
}

/** Largest-remainder allocation of `total` items to weights, at least `min` each. */
function allocate(total: number, weights: readonly number[], min: number): number[] {
  const rest = total - min * weights.length;
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (rest * w) / sum);
  const counts = exact.map((x) => min + Math.floor(x));
  let left = total - counts.reduce((s, c) => s + c, 0);
  const order = exact.map((x, t) => ({ t, r: x - Math.floor(x) })).sort((p, q) => q.r - p.r || p.t - q.t);
  for (const { t } of order) {
    if (left === 0) break;
    counts[t]!++;
    left--;
  }
  return counts;
}

/** Partial Fisher-Yates: `k` distinct items of `pool`, in random order (pool is reordered). */
function pick(rng: Rng, pool: number[], k: number): number[] {
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(pool.length - i);
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  return pool.slice(0, n);
}

function base36(n: number, width: number): string {
  return n.toString(36).toUpperCase().padStart(width, '0');
}

/** Draws a cohort: parameters, samples, latent factors, survival and ground truth (no counts). */
export function simulateCohort(opts: CohortOptions): Cohort {
  const { options: o, typeNames } = resolveOptions(opts);
  const { ids, symbols } = geneNames(opts, o.genes);
  const G = o.genes;
  const N = o.samples;
  const T = o.types;
  const M = o.modules;

  // ---- genes -------------------------------------------------------------------------------------------
  const rg = createRng(o.seed, STREAM_GENES);
  const lowExpressed = new Uint8Array(G);
  const logProportion = new Float64Array(G);
  const dispersion = new Float64Array(G);
  let maxLog = Number.NEGATIVE_INFINITY;
  for (let g = 0; g < G; g++) {
    const low = rg.uniform() < o.lowExpressionFraction;
    lowExpressed[g] = low ? 1 : 0;
    const a = low ? LOW_LOG_SHIFT + LOW_LOG_SD * rg.normal() : EXPRESSED_LOG_SD * rg.normal();
    logProportion[g] = a;
    if (a > maxLog) maxLog = a;
    dispersion[g] = o.dispersionMedian * Math.exp(o.dispersionLogSd * rg.normal());
  }
  let share = 0;
  for (let g = 0; g < G; g++) share += Math.exp(logProportion[g]! - maxLog);
  const logNorm = maxLog + Math.log(share);
  for (let g = 0; g < G; g++) logProportion[g] = logProportion[g]! - logNorm;

  const expressed: number[] = [];
  for (let g = 0; g < G; g++) if (lowExpressed[g] === 0) expressed.push(g);
  const needed = M * o.moduleSize + o.prognosticGenes;
  if (needed > expressed.length) {
    throw new RangeError(
      `${M} modules of ${o.moduleSize} genes and ${o.prognosticGenes} prognostic genes need ${needed} ` +
        `expressed genes, but only ${expressed.length} of ${G} genes are expressed`,
    );
  }
  rg.shuffle(expressed);
  const geneModule = new Int32Array(G).fill(-1);
  const loading = new Float64Array(G);
  const modules: ModuleTruth[] = [];
  const [loadMin, loadMax] = o.moduleLoading;
  for (let m = 0; m < M; m++) {
    const genes = expressed.slice(m * o.moduleSize, (m + 1) * o.moduleSize).sort((x, y) => x - y);
    const loadings = genes.map((g) => {
      const l = loadMin + (loadMax - loadMin) * rg.uniform();
      geneModule[g] = m;
      loading[g] = l;
      return l;
    });
    modules.push({ name: `M${m + 1}`, genes, loadings, hazardCoef: 0 });
  }
  const prognostic = new Int32Array(G).fill(-1);
  const latentLoading = new Float64Array(G);
  const prognosticGenes: PrognosticGeneTruth[] = [];
  for (let k = 0; k < o.prognosticGenes; k++) {
    const g = expressed[M * o.moduleSize + k]!;
    prognostic[g] = k;
    latentLoading[g] = o.prognosticGeneLoading;
    const coef = (rg.uniform() < 0.5 ? -1 : 1) * (0.25 + 0.25 * rg.uniform());
    prognosticGenes.push({ gene: g, coef, loading: o.prognosticGeneLoading });
  }
  // Programs use the remaining expressed genes so that module and prognostic genes keep a clean signal.
  const programPool = expressed.slice(needed);
  const typeLogFold = new Float64Array(G * T);
  // Random sign; magnitude programLogFold * Gamma(4, 1/4) (mean programLogFold, CV 0.5).
  const drawFold = (): number => (rg.uniform() < 0.5 ? -1 : 1) * o.programLogFold * rg.gamma(4, 0.25);
  const programs: ProgramTruth[] = [];
  for (let t = 0; t < T; t++) {
    const genes = pick(rg, programPool, o.programSize).sort((x, y) => x - y);
    const logFold = genes.map((g) => {
      const f = drawFold();
      typeLogFold[g * T + t] = f;
      return f;
    });
    programs.push({ type: t, genes, logFold });
  }
  const tumourLogFold = new Float64Array(G);
  const tumourGenes = pick(rg, programPool, o.programSize).sort((x, y) => x - y);
  const tumourProgram: ProgramTruth = {
    type: -1,
    genes: tumourGenes,
    logFold: tumourGenes.map((g) => {
      const f = drawFold();
      tumourLogFold[g] = f;
      return f;
    }),
  };

  // ---- samples and patients ------------------------------------------------------------------------------
  const rs = createRng(o.seed, STREAM_SAMPLES);
  const weights = o.typeWeights.length > 0 ? o.typeWeights : typeNames.map(() => rs.gamma(3));
  const nNormal = Math.round(N * o.normalFraction);
  const P = N - nNormal;
  const perType = allocate(P, weights, 1);
  // Barcodes depend on the seed (same seed, same barcodes): the site codes and the participant numbers start
  // at offsets drawn from the seed's own stream, so cohorts simulated with different seeds do not share
  // sample barcodes (two 240-sample cohorts collide with probability about 1e-6) and can sit in one database.
  const rb = createRng(o.seed, STREAM_BARCODES);
  const siteStart = rb.int(26 * 26);
  const participants = 36 ** 4 - 1; // 4 base-36 characters, 0000 unused
  const participantStart = P < participants ? rb.int(participants - P) : 0;
  // Tissue source sites: 1-3 two-letter codes per type, distinct while there are codes left.
  let siteCounter = siteStart;
  const sites = typeNames.map(() =>
    Array.from({ length: 1 + rs.int(3) }, () => {
      const s = siteCounter++ % (26 * 26);
      return `${LETTERS[Math.floor(s / 26)]}${LETTERS[s % 26]}`;
    }),
  );
  const patientIds: string[] = new Array(P);
  const patientType = new Uint16Array(P);
  let p = 0;
  for (let t = 0; t < T; t++) {
    const typeSites = sites[t]!;
    for (let j = 0; j < perType[t]!; j++, p++) {
      patientType[p] = t;
      const participant = ((participantStart + p) % participants) + 1;
      patientIds[p] = `GXSM-${typeSites[rs.int(typeSites.length)]}-${base36(participant, 4)}`;
    }
  }
  const hasNormal = new Uint8Array(P);
  for (const q of pick(
    rs,
    Array.from({ length: P }, (_, i) => i),
    nNormal,
  )) {
    hasNormal[q] = 1;
  }
  // Columns grouped by type; within a type, tumours and normals in random order.
  const barcodes: string[] = new Array(N);
  const sampleType = new Uint16Array(N);
  const sampleNormal = new Uint8Array(N);
  const samplePatient = new Uint32Array(N);
  const typeOffsets = new Uint32Array(T + 1);
  const tumourSample = new Uint32Array(P);
  let i = 0;
  p = 0;
  for (let t = 0; t < T; t++) {
    typeOffsets[t] = i;
    const cols: { patient: number; normal: 0 | 1 }[] = [];
    for (let j = 0; j < perType[t]!; j++, p++) {
      cols.push({ patient: p, normal: 0 });
      if (hasNormal[p] === 1) cols.push({ patient: p, normal: 1 });
    }
    rs.shuffle(cols);
    for (const col of cols) {
      barcodes[i] = `${patientIds[col.patient]}-${col.normal ? '11' : '01'}A-01R-0000-07`;
      sampleType[i] = t;
      sampleNormal[i] = col.normal;
      samplePatient[i] = col.patient;
      if (col.normal === 0) tumourSample[col.patient] = i;
      i++;
    }
  }
  typeOffsets[T] = N;
  const libSize = new Float64Array(N);
  for (let s = 0; s < N; s++) libSize[s] = o.libSizeMedian * Math.exp(o.libSizeLogSd * rs.normal());

  // ---- latent factors --------------------------------------------------------------------------------
  const rl = createRng(o.seed, STREAM_LATENT);
  const moduleActivity = new Float64Array(M * N);
  for (let k = 0; k < moduleActivity.length; k++) moduleActivity[k] = rl.normal();
  const K = prognosticGenes.length;
  const geneLatent = new Float64Array(K * N);
  for (let k = 0; k < geneLatent.length; k++) geneLatent[k] = rl.normal();

  const genes: SimGenes = {
    ids,
    symbols,
    lowExpressed,
    logProportion,
    dispersion,
    module: geneModule,
    loading,
    prognostic,
    latentLoading,
    typeLogFold,
    tumourLogFold,
  };
  const sampleScale = new Float64Array(N);
  const samples: SimSamples = {
    barcodes,
    type: sampleType,
    normal: sampleNormal,
    patient: samplePatient,
    typeOffsets,
    libSize,
    sampleScale,
    moduleActivity,
    geneLatent,
  };
  computeSampleScale(genes, samples, T);

  // ---- survival ------------------------------------------------------------------------------------------
  const rv = createRng(o.seed, STREAM_SURVIVAL);
  const typeHazard = new Float64Array(T);
  for (let t = 0; t < T; t++) typeHazard[t] = o.typeHazardSd * rv.normal();
  for (let m = 0; m < o.prognosticModules; m++) {
    modules[m]!.hazardCoef = (rv.uniform() < 0.5 ? -1 : 1) * (0.4 + 0.4 * rv.uniform());
  }
  const logHazard = new Float64Array(P);
  let meanLp = 0;
  for (let q = 0; q < P; q++) {
    const s = tumourSample[q]!;
    let lp = typeHazard[patientType[q]!]!;
    for (let m = 0; m < o.prognosticModules; m++) lp += modules[m]!.hazardCoef * moduleActivity[m * N + s]!;
    for (let k = 0; k < K; k++) lp += prognosticGenes[k]!.coef * geneLatent[k * N + s]!;
    logHazard[q] = lp;
    meanLp += lp / P;
  }
  const shape = o.weibullShape;
  const scale = o.medianSurvivalDays / Math.LN2 ** (1 / shape);
  const eventTime = new Float64Array(P);
  for (let q = 0; q < P; q++) {
    logHazard[q] = logHazard[q]! - meanLp;
    eventTime[q] = scale * (rv.exponential() * Math.exp(-logHazard[q]!)) ** (1 / shape);
  }
  const censoringRate = solveCensoringRate(eventTime, o.censoring, o.maxFollowupDays);
  const time = new Int32Array(P);
  const event = new Uint8Array(P);
  const missing = new Uint8Array(P);
  for (let q = 0; q < P; q++) {
    const c = Math.min(censoringRate > 0 ? rv.exponential(censoringRate) : Infinity, o.maxFollowupDays);
    const e = eventTime[q]!;
    event[q] = e <= c ? 1 : 0;
    time[q] = Math.max(1, Math.round(Math.min(e, c)));
    missing[q] = rv.uniform() < o.missingClinicalFraction ? 1 : 0;
  }

  return {
    options: o,
    typeNames,
    genes,
    samples,
    patients: {
      ids: patientIds,
      type: patientType,
      tumourSample,
      logHazard,
      eventTime,
      time,
      event,
      missing,
    },
    truth: {
      modules,
      prognosticGenes,
      typeHazard,
      programs,
      tumourProgram,
      survival: {
        baseline: 'weibull',
        shape,
        scale,
        censoringRate,
        maxFollowupDays: o.maxFollowupDays,
        logHazardOffset: meanLp,
      },
    },
  };
}

/**
 * Rate c of exponential censoring such that the expected censored fraction, given the event times, is
 * `target`: mean over patients of (T > maxFollowup ? 1 : 1 - exp(-c T)). 0 if follow-up alone censors more.
 */
function solveCensoringRate(eventTime: Float64Array, target: number, maxFollowup: number): number {
  const fraction = (c: number): number => {
    let s = 0;
    for (const e of eventTime) s += e > maxFollowup ? 1 : -Math.expm1(-c * e);
    return s / eventTime.length;
  };
  if (target <= 0 || fraction(0) >= target) return 0;
  let lo = 1e-12;
  let hi = 1;
  while (fraction(hi) < target && hi < 1e6) hi *= 2;
  for (let it = 0; it < 200 && hi / lo > 1 + 1e-12; it++) {
    const mid = Math.sqrt(lo * hi);
    if (fraction(mid) < target) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/** Per-gene factor table by group 2 * type + normal: exp(type fold [+ tumour fold for tumours]). [2T] */
function groupFactors(genes: SimGenes, g: number, T: number, out: Float64Array): void {
  const tumour = genes.tumourLogFold[g]!;
  for (let t = 0; t < T; t++) {
    const f = genes.typeLogFold[g * T + t]!;
    out[2 * t] = Math.exp(f + tumour);
    out[2 * t + 1] = Math.exp(f);
  }
}

function hasLatent(genes: SimGenes, g: number): boolean {
  return genes.module[g]! >= 0 || genes.prognostic[g]! >= 0;
}

/** Adds exp(per-sample latent log effect) of gene g, multiplying `out` [N] in place. */
function applyLatent(genes: SimGenes, samples: SimSamples, g: number, out: Float64Array): void {
  const N = out.length;
  const m = genes.module[g]!;
  const k = genes.prognostic[g]!;
  const l = genes.loading[g]!;
  const ll = genes.latentLoading[g]!;
  const act = samples.moduleActivity;
  const lat = samples.geneLatent;
  for (let i = 0; i < N; i++) {
    let e = 0;
    if (m >= 0) e += l * act[m * N + i]!;
    if (k >= 0) e += ll * lat[k * N + i]!;
    out[i] = out[i]! * Math.exp(e);
  }
}

/** sampleScale[i] = libSize[i] / sum_g exp(logProportion[g] + log effects of g in i). */
function computeSampleScale(genes: SimGenes, samples: SimSamples, T: number): void {
  const N = samples.libSize.length;
  const G = genes.ids.length;
  const factors = new Float64Array(2 * T);
  const plain = new Float64Array(2 * T); // sum over genes without per-sample latent effects, by group
  const total = new Float64Array(N);
  const row = new Float64Array(N);
  for (let g = 0; g < G; g++) {
    groupFactors(genes, g, T, factors);
    const p = Math.exp(genes.logProportion[g]!);
    if (!hasLatent(genes, g)) {
      for (let j = 0; j < 2 * T; j++) plain[j] = plain[j]! + p * factors[j]!;
      continue;
    }
    for (let i = 0; i < N; i++) row[i] = p * factors[2 * samples.type[i]! + samples.normal[i]!]!;
    applyLatent(genes, samples, g, row);
    for (let i = 0; i < N; i++) total[i] = total[i]! + row[i]!;
  }
  for (let i = 0; i < N; i++) {
    const s = total[i]! + plain[2 * samples.type[i]! + samples.normal[i]!]!;
    samples.sampleScale[i] = samples.libSize[i]! / s;
  }
}

/** Expected counts (NB means) of gene `g` in every sample. Returns `out`: Float64Array [N], column order. */
export function geneMeans(cohort: Cohort, g: number, out?: Float64Array): Float64Array {
  const { genes, samples } = cohort;
  const N = samples.libSize.length;
  const T = cohort.typeNames.length;
  if (!Number.isInteger(g) || g < 0 || g >= genes.ids.length) throw new RangeError(`no gene ${g}`);
  const mu = out ?? new Float64Array(N);
  if (mu.length !== N) throw new RangeError(`out must have length ${N}`);
  const factors = new Float64Array(2 * T);
  groupFactors(genes, g, T, factors);
  const base = Math.exp(genes.logProportion[g]!);
  const type = samples.type;
  const normal = samples.normal;
  const scale = samples.sampleScale;
  for (let i = 0; i < N; i++) mu[i] = base * scale[i]! * factors[2 * type[i]! + normal[i]!]!;
  if (hasLatent(genes, g)) applyLatent(genes, samples, g, mu);
  return mu;
}

/**
 * Counts of gene `g` in every sample, NB(mean geneMeans, dispersion phi[g]) drawn from the gene's own random
 * stream: the same (cohort, g) always gives the same row, whatever was drawn before.
 * Returns `out`: Uint32Array [N], column order. `scratch` (Float64Array [N]) avoids an allocation per call.
 */
export function geneCounts(
  cohort: Cohort,
  g: number,
  out?: Uint32Array,
  scratch?: Float64Array,
): Uint32Array {
  const N = cohort.samples.libSize.length;
  const counts = out ?? new Uint32Array(N);
  if (counts.length !== N) throw new RangeError(`out must have length ${N}`);
  const mu = geneMeans(cohort, g, scratch);
  const rng = createRng(cohort.options.seed, STREAM_COUNTS + g);
  return rng.fillNegativeBinomial(mu, 1 / cohort.genes.dispersion[g]!, counts);
}

/** The whole count matrix in memory (small cohorts only). Uint32Array, gene-major [G * N]: [g * N + i]. */
export function simulateCounts(cohort: Cohort): Uint32Array {
  const N = cohort.samples.libSize.length;
  const G = cohort.genes.ids.length;
  if (G * N > 2 ** 30)
    throw new RangeError(`${G} x ${N} counts are too many to hold; stream with geneCounts`);
  const all = new Uint32Array(G * N);
  const scratch = new Float64Array(N);
  for (let g = 0; g < G; g++) geneCounts(cohort, g, all.subarray(g * N, (g + 1) * N), scratch);
  return all;
}
