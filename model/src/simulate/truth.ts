// The ground truth of a simulated cohort as plain JSON-ready data (what truth.json holds).
// Genes are named by their IDs, types by their names, samples and patients by barcodes; numbers are rounded
// to 6 significant digits (log fold changes, coefficients) so the file stays compact.

import type { Cohort } from './cohort.ts';

export interface TruthSummary {
  format: 'gexbert-simulate-truth';
  version: 1;
  /** The options the cohort was drawn with, defaults filled in. */
  options: Cohort['options'];
  types: string[];
  model: string[];
  /** Column-level data, in count-file column order within each type (types in `types` order). */
  samples: {
    barcode: string[];
    patient: string[];
    type: string[];
    /** 1 = solid-tissue normal (sample type 11). */
    normal: number[];
    /** Expected total reads. */
    libSize: number[];
    /** True log-hazard of the sample's patient. */
    logHazard: number[];
  };
  patients: {
    id: string[];
    type: string[];
    logHazard: number[];
    /** Event time in days before censoring. */
    eventTime: number[];
    time: number[];
    event: number[];
  };
  modules: {
    name: string;
    genes: string[];
    loadings: number[];
    hazardCoef: number;
    /** Activity in each sample (column order as `samples`). */
    activity: number[];
  }[];
  prognosticGenes: {
    gene: string;
    /** Log-hazard per unit of the gene's N(0, 1) latent factor. */
    coef: number;
    /** Log expression per unit latent factor. */
    loading: number;
    latent: number[];
  }[];
  typeHazard: Record<string, number>;
  programs: { type: string; genes: string[]; logFold: number[] }[];
  tumourProgram: { genes: string[]; logFold: number[] };
  survival: Cohort['truth']['survival'];
  genes: {
    id: string[];
    /** Natural log of the baseline share of a library. */
    logProportion: number[];
    /** NB dispersion phi: variance = mu + phi * mu^2. */
    dispersion: number[];
  };
}

const round = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);
const roundAll = (xs: ArrayLike<number>): number[] => Array.from(xs, round);

export function truthSummary(cohort: Cohort): TruthSummary {
  const { genes, samples, patients, truth, typeNames } = cohort;
  const N = samples.barcodes.length;
  const ids = genes.ids;
  const typeName = (t: number): string => typeNames[t]!;
  return {
    format: 'gexbert-simulate-truth',
    version: 1,
    options: cohort.options,
    types: [...typeNames],
    model: [
      'count[g,i] ~ NB(mu[g,i], phi[g]) as Poisson(Gamma(1/phi, mu*phi)); variance mu + phi*mu^2',
      'log mu[g,i] = logProportion[g] + typeLogFold[g,type(i)] + tumour(i)*tumourLogFold[g] ' +
        '+ loading[g]*activity[module(g),i] + prognosticLoading[g]*latent[g,i] + log sampleScale[i]',
      'sampleScale[i] makes the expected column total equal libSize[i]',
      'hazard(t) = shape/scale*(t/scale)^(shape-1)*exp(logHazard); logHazard = sum_m hazardCoef[m]*activity[m,i] ' +
        '+ sum_k coef[k]*latent[k,i] + typeHazard[type] - logHazardOffset (i = the patient primary tumour)',
      'censoring time = min(Exp(censoringRate), maxFollowupDays); time rounded to whole days, at least 1',
    ],
    samples: {
      barcode: [...samples.barcodes],
      patient: Array.from(samples.patient, (p) => patients.ids[p]!),
      type: Array.from(samples.type, typeName),
      normal: Array.from(samples.normal),
      libSize: Array.from(samples.libSize, Math.round),
      logHazard: Array.from(samples.patient, (p) => round(patients.logHazard[p]!)),
    },
    patients: {
      id: [...patients.ids],
      type: Array.from(patients.type, typeName),
      logHazard: roundAll(patients.logHazard),
      eventTime: roundAll(patients.eventTime),
      time: Array.from(patients.time),
      event: Array.from(patients.event),
    },
    modules: truth.modules.map((m, k) => ({
      name: m.name,
      genes: m.genes.map((g) => ids[g]!),
      loadings: roundAll(m.loadings),
      hazardCoef: round(m.hazardCoef),
      activity: roundAll(samples.moduleActivity.subarray(k * N, (k + 1) * N)),
    })),
    prognosticGenes: truth.prognosticGenes.map((p, k) => ({
      gene: ids[p.gene]!,
      coef: round(p.coef),
      loading: round(p.loading),
      latent: roundAll(samples.geneLatent.subarray(k * N, (k + 1) * N)),
    })),
    typeHazard: Object.fromEntries(typeNames.map((name, t) => [name, round(truth.typeHazard[t]!)])),
    programs: truth.programs.map((p) => ({
      type: typeName(p.type),
      genes: p.genes.map((g) => ids[g]!),
      logFold: roundAll(p.logFold),
    })),
    tumourProgram: {
      genes: truth.tumourProgram.genes.map((g) => ids[g]!),
      logFold: roundAll(truth.tumourProgram.logFold),
    },
    survival: { ...truth.survival },
    genes: {
      id: [...ids],
      logProportion: roundAll(genes.logProportion),
      dispersion: roundAll(genes.dispersion),
    },
  };
}
