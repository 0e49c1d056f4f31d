// Stores survival and clinical fields on known patients, in one transaction.
// Rows for patients the database does not know are reported, not stored and not fatal. A table without
// survival columns (attributes only) leaves the survival already stored as it is.
import type pg from 'pg';
import { InputError } from '../formats/inputError.ts';
import type { ClinicalRecord, ParsedClinical } from '../formats/types.ts';
import type { ImportSource } from './source.ts';
import { alreadyImported, type ImportResult, insertImport } from './transaction.ts';

export interface ClinicalImportResult extends ImportResult {
  matched: number;
  unknownPatients: string[];
}

/** Stores one clinical table inside the caller's import transaction (see withImportTransaction). */
export async function importClinical(
  client: pg.ClientBase,
  source: ImportSource,
  clinical: ParsedClinical,
): Promise<ClinicalImportResult> {
  let records = uniqueRecords(clinical);
  const previous = await alreadyImported(client, source, 'CLINICAL');
  if (previous) {
    // The same table again: it stores only what it could not before, for patients whose samples arrived
    // since (they have no clinical data yet); with none, nothing is written.
    const waiting = await patientsWithoutClinical(client, records);
    if (waiting.size === 0) return { ...previous, matched: previous.samples, unknownPatients: [] };
    const known = await knownPatients(client, records);
    records = records.filter((r) => waiting.has(r.patientBarcode) || !known.has(r.patientBarcode));
  }
  const importId = await insertImport(client, source, 'CLINICAL', {
    unit: null,
    rowCount: records.length,
    geneCount: 0,
    unmappedGenes: [],
    warnings: clinical.warnings,
  });
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{ barcode: string }>(
    `UPDATE "Patient" p SET
       "osDays" = CASE WHEN $8 THEN u.os_days ELSE p."osDays" END,
       "osEvent" = CASE WHEN $8 THEN u.os_event ELSE p."osEvent" END,
       "osSourceUnit" = CASE WHEN $8 THEN $7 ELSE p."osSourceUnit" END,
       "cancerType" = COALESCE(p."cancerType", u.cancer_type),
       clinical = COALESCE(p.clinical, '{}'::jsonb) || u.fields::jsonb,
       "clinicalImportId" = $6
     FROM unnest($1::text[], $2::float8[], $3::int[], $4::text[], $5::text[]) AS u(barcode, os_days, os_event, cancer_type, fields)
     WHERE p.barcode = u.barcode
     RETURNING p.barcode`,
    [
      records.map((r) => r.patientBarcode),
      records.map((r) => r.osDays),
      records.map((r) => r.osEvent),
      records.map((r) => r.cancerType),
      records.map((r) => JSON.stringify(r.fields)),
      importId,
      clinical.timeUnit,
      clinical.hasSurvival !== false,
    ],
  );
  const matched = new Set(rows.map((r) => r.barcode));
  const unknown = records.filter((r) => !matched.has(r.patientBarcode));
  const warnings = [...clinical.warnings];
  if (unknown.length) warnings.push(unknownPatientsWarning(clinical.file, unknown));
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  await client.query(
    `UPDATE "Import" SET "sampleCount" = $2, "skippedCount" = $3, warnings = $4, "finishedAt" = clock_timestamp() WHERE id = $1`,
    [importId, matched.size, unknown.length, warnings],
  );
  return {
    id: importId,
    unchanged: false,
    samples: matched.size,
    genes: 0,
    skipped: unknown.length,
    written: matched.size,
    matched: matched.size,
    unknownPatients: unknown.map((r) => r.patientBarcode),
    warnings,
    simulated: source.simulated,
  };
}

/** Patients of `records` that are stored but have no clinical data from any import yet. */
async function patientsWithoutClinical(
  client: pg.ClientBase,
  records: readonly ClinicalRecord[],
): Promise<Set<string>> {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{ barcode: string }>(
    `SELECT barcode FROM "Patient" WHERE barcode = ANY($1::text[]) AND "clinicalImportId" IS NULL`,
    [records.map((r) => r.patientBarcode)],
  );
  return new Set(rows.map((r) => r.barcode));
}

async function knownPatients(
  client: pg.ClientBase,
  records: readonly ClinicalRecord[],
): Promise<Set<string>> {
  // raw SQL: in the import's pg transaction, beside its COPY (all or nothing)
  const { rows } = await client.query<{ barcode: string }>(
    `SELECT barcode FROM "Patient" WHERE barcode = ANY($1::text[])`,
    [records.map((r) => r.patientBarcode)],
  );
  return new Set(rows.map((r) => r.barcode));
}

function unknownPatientsWarning(file: string, unknown: readonly ClinicalRecord[]): string {
  const examples = unknown
    .slice(0, 5)
    .map((r) => `${r.patientBarcode} (line ${r.line})`)
    .join(', ');
  return `${file}: ${unknown.length} rows name patients with no samples in the database (e.g. ${examples}); they were not stored — ingest their expression data first, then re-run`;
}

/** One record per patient; the same patient twice with different survival is an error naming both lines. */
function uniqueRecords(clinical: ParsedClinical): ClinicalRecord[] {
  const seen = new Map<string, ClinicalRecord>();
  for (const record of clinical.records) {
    const earlier = seen.get(record.patientBarcode);
    if (!earlier) {
      seen.set(record.patientBarcode, record);
      continue;
    }
    if (earlier.osDays === record.osDays && earlier.osEvent === record.osEvent) continue;
    throw new InputError({
      file: clinical.file,
      line: record.line,
      problem: `patient ${record.patientBarcode} appears again (first on line ${earlier.line}) with different survival`,
      fix: 'keep one row per patient',
    });
  }
  return [...seen.values()];
}
