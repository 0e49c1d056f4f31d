// Overall survival of a cohort's patients split by one gene's expression: a patient's value is the mean of
// its samples' values in the chosen unit; cut-offs at the median or quartiles of the values of the patients
// with a usable survival time (or a chosen cut-off); Kaplan-Meier per group and the log-rank test by
// groupedSurvival (model/src/survival).

import type { ExpressionUnit } from '@gexbert/core/formats/types';
import { quantile } from '@gexbert/model/stats';
import { badInput } from '../errors.ts';
import type { GeneSplit, ResolversTypes, ValueTransform } from '../generated/graphql.ts';
import { groupAt } from '../quantileGroups.ts';
import { groupedSurvival, hasSurvival } from '../resolvers/cohorts.ts';
import type { GeneRow, PatientRow } from '../rows.ts';
import type { ValueColumn } from './geneColumn.ts';

const SPLITS: Record<GeneSplit, { probs: number[]; names: string[] }> = {
  MEDIAN: { probs: [0.5], names: ['low', 'high'] },
  QUARTILES: { probs: [0.25, 0.5, 0.75], names: ['Q1', 'Q2', 'Q3', 'Q4'] },
  CUTOFF: { probs: [], names: ['low', 'high'] },
};

/** The split asked for, checked: a finite `cutoff` with CUTOFF and none otherwise. */
export function checkSplit(split: GeneSplit, cutoff: number | null | undefined): void {
  if (split === 'CUTOFF' && (cutoff === null || cutoff === undefined || !Number.isFinite(cutoff)))
    throw badInput('split CUTOFF needs a finite `cutoff` in the chosen unit');
  if (split !== 'CUTOFF' && cutoff !== null && cutoff !== undefined)
    throw badInput(`a cutoff is only taken with split CUTOFF, not ${split}`);
}

/** Each patient's mean value over its samples with a value, in patient barcode order. */
function patientValues(column: ValueColumn, patientOf: readonly PatientRow[]) {
  const sums = new Map<number, { patient: PatientRow; sum: number; n: number }>();
  column.values.forEach((value, i) => {
    if (value === null) return;
    const patient = patientOf[i]!;
    const entry = sums.get(patient.id) ?? { patient, sum: 0, n: 0 };
    entry.sum += value;
    entry.n++;
    sums.set(patient.id, entry);
  });
  return [...sums.values()]
    .map((e) => ({ patient: e.patient, value: e.sum / e.n }))
    .sort((a, b) =>
      a.patient.barcode < b.patient.barcode ? -1 : a.patient.barcode > b.patient.barcode ? 1 : 0,
    );
}

export interface GeneSurvivalInput {
  query: string;
  gene: GeneRow;
  unit: ExpressionUnit;
  transform: ValueTransform;
  split: GeneSplit;
  cutoff: number | null | undefined;
  /** The gene's values over the cohort's samples, and each of those samples' patient. */
  column: ValueColumn;
  patientOf: readonly PatientRow[];
  /** Every patient of the cohort (those without a value count as missing). */
  cohortPatients: number;
}

export function geneSurvival(input: GeneSurvivalInput): ResolversTypes['GeneSurvival'] {
  const values = patientValues(input.column, input.patientOf);
  const usable = values.filter((v) => hasSurvival(v.patient));
  const { probs, names } = SPLITS[input.split];
  const cutoffs =
    input.split === 'CUTOFF'
      ? [input.cutoff!]
      : usable.length > 0
        ? probs.map((q) =>
            quantile(
              usable.map((v) => v.value),
              q,
            ),
          )
        : [];
  const patients = values.map(({ patient, value }) => ({
    barcode: patient.barcode,
    value,
    group: groupAt(value, cutoffs, names),
    osDays: patient.osDays,
    osEvent: patient.osEvent,
  }));
  const summary = groupedSurvival(patients, false, names);
  return {
    query: input.query,
    gene: input.gene,
    unit: input.unit,
    transform: input.transform,
    split: input.split,
    cutoffs,
    ...summary,
    missing: input.cohortPatients - (patients.length - summary.missing),
    patients,
  };
}
