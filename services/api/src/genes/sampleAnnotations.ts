// Column-wise annotations of samples for gene views: barcode, patient, cancer type and sample type, read
// through the request's loaders (one query per relation, Sample rows remembered by the server).
import type { Context } from '../context.ts';
import type { PatientRow, SampleRow } from '../rows.ts';

export interface SampleAnnotations {
  samples: SampleRow[];
  /** The patient of each sample, in the same order. */
  patients: PatientRow[];
}

export async function annotateSamples(
  context: Context,
  sampleIds: readonly number[],
): Promise<SampleAnnotations> {
  const samples = await loaded(context.loaders.sample.loadMany(sampleIds), 'sample');
  const patients = await loaded(context.loaders.patient.loadMany(samples.map((s) => s.patientId)), 'patient');
  return { samples, patients };
}

async function loaded<T>(rows: Promise<(T | null | Error)[]>, what: string): Promise<T[]> {
  return (await rows).map((row) => {
    if (row instanceof Error) throw row;
    if (row === null) throw new Error(`a ${what} of the cohort vanished while it was read`);
    return row;
  });
}
