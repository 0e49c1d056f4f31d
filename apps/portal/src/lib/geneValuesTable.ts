// A gene across a cohort as one table, a row per sample: sample, patient, cancer and sample type, the value,
// the patient's survival group (by the mean of its samples' values), survival time and status. The gene
// page's values table (and its TSV download) and its box plots' groups come from it.

import type { TableColumn, TableRow } from '../components/tableModel.ts';
import type { GeneAcrossCohortQuery } from '../generated/graphql.ts';
import { formatSampleType } from './format.ts';
import type { Grouping } from './genePage.ts';

type Cohort = NonNullable<GeneAcrossCohortQuery['cohort']>;

export interface GeneValueRow {
  sampleId: string;
  sample: string;
  patient: string;
  cancerType: string | null;
  sampleType: string;
  value: number;
  group: string | null;
  osDays: number | null;
  osEvent: number | null;
}

/** The samples with a value, in the API's order (sample ID). */
export function geneValueRows(cohort: Cohort): GeneValueRow[] {
  const column = cohort.geneValues[0];
  if (!column) return [];
  const patients = new Map(cohort.geneSurvival.patients.map((p) => [p.barcode, p]));
  return column.values.flatMap((value, i) => {
    if (value === null) return [];
    const patient = patients.get(column.patientBarcodes[i]!);
    return [
      {
        sampleId: column.sampleIds[i]!,
        sample: column.barcodes[i]!,
        patient: column.patientBarcodes[i]!,
        cancerType: column.cancerTypes[i] ?? null,
        sampleType: formatSampleType(column.sampleTypes[i]!),
        value,
        group: patient?.group ?? null,
        osDays: patient?.osDays ?? null,
        osEvent: patient?.osEvent ?? null,
      },
    ];
  });
}

/** The rows as the values table shows and downloads them (TSV): sample, patient, type, value, group, OS. */
export function geneValueTable(rows: readonly GeneValueRow[]): { columns: TableColumn[]; rows: TableRow[] } {
  return {
    columns: [
      { label: 'Sample' },
      { label: 'Patient' },
      { label: 'Cancer type' },
      { label: 'Sample type' },
      { label: 'Value', numeric: true },
      { label: 'Survival group' },
      { label: 'OS days', numeric: true },
      { label: 'OS event', numeric: true },
    ],
    rows: rows.map((r) => ({
      key: r.sample,
      cells: [
        { value: r.sample, href: `/samples/${r.sampleId}` },
        { value: r.patient },
        { value: r.cancerType },
        { value: r.sampleType },
        { value: r.value, text: r.value.toPrecision(4) },
        { value: r.group },
        { value: r.osDays },
        { value: r.osEvent },
      ],
    })),
  };
}

/** The rows' values per box plot group (cancer type or sample type), groups in name order. */
export function valuesBy(rows: readonly GeneValueRow[], by: Grouping): { name: string; values: number[] }[] {
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const name = (by === 'cancerType' ? r.cancerType : r.sampleType) ?? 'unknown';
    groups.set(name, [...(groups.get(name) ?? []), r.value]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => ({ name, values }));
}
