// The clinical attribute catalogue: every field `gexbert ingest clinical` stored in Patient.clinical (text, as
// the file gave it), typed from the values stored across all patients, with per-scope summaries (all patients,
// or a cohort's) computed in SQL: how many patients have it, its categories with counts, or its range and a
// histogram.
import type pg from 'pg';

/** NUMERIC: every stored value is a number; DATE: every value is YYYY-MM or YYYY-MM-DD; else CATEGORICAL. */
export type AttributeType = 'NUMERIC' | 'CATEGORICAL' | 'DATE';

/** SQL patterns a stored value is tested with (one definition, used by the catalogue and the filters). */
export const NUMBER_PATTERN = '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$';
export const DATE_PATTERN = '^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$';

/** Categories listed per attribute (most frequent first); the rest are counted in `otherPatients`. */
export const MAX_CATEGORIES = 50;
/** Equal-width bins of a numeric attribute's histogram. */
export const HISTOGRAM_BINS = 20;

export interface CategoryCount {
  value: string;
  patients: number;
}

export interface HistogramBin {
  low: number;
  high: number;
  patients: number;
}

export interface ClinicalAttribute {
  name: string;
  type: AttributeType;
  /** Patients in scope with a value. */
  patients: number;
  /** Distinct values among them. */
  distinct: number;
  /** NUMERIC only (null otherwise, or with no value in scope). */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** CATEGORICAL and DATE: the MAX_CATEGORIES most frequent values, then by value. */
  categories: CategoryCount[];
  /** Patients in scope whose value is not among `categories`. */
  otherPatients: number;
  /** NUMERIC: HISTOGRAM_BINS equal-width bins from min to max (one bin when all values are equal). */
  histogram: HistogramBin[];
}

/** Where the attributes are summarised: every patient, or the patients of a cohort's samples. */
export type AttributeScope = { cohortId: number } | null;

/** Each stored attribute's type, from its values across all patients. */
export async function attributeTypes(db: pg.Pool | pg.ClientBase): Promise<Map<string, AttributeType>> {
  // raw SQL: jsonb_each_text and aggregates over clinical JSON, which Prisma cannot express
  const { rows } = await db.query<{ name: string; numeric: boolean; date: boolean }>(
    `SELECT e.key AS name, bool_and(e.value ~ $1) AS numeric, bool_and(e.value ~ $2) AS date
     FROM "Patient" p CROSS JOIN LATERAL jsonb_each_text(p.clinical) e
     WHERE jsonb_typeof(p.clinical) = 'object' GROUP BY e.key ORDER BY e.key`,
    [NUMBER_PATTERN, DATE_PATTERN],
  );
  return new Map(rows.map((r) => [r.name, r.numeric ? 'NUMERIC' : r.date ? 'DATE' : 'CATEGORICAL']));
}

/** The patients in scope, as SQL over "Patient" p (with its parameters appended to `params`). */
function scopeSql(scope: AttributeScope, params: unknown[]): string {
  if (!scope) return 'TRUE';
  params.push(scope.cohortId);
  return `p.id IN (SELECT s."patientId" FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId"
                   WHERE cs."cohortId" = $${params.length})`;
}

/** Every stored attribute (in name order), summarised over the patients in `scope`. */
export async function clinicalAttributes(db: pg.Pool, scope: AttributeScope): Promise<ClinicalAttribute[]> {
  const types = await attributeTypes(db);
  const params: unknown[] = [];
  const where = `jsonb_typeof(p.clinical) = 'object' AND ${scopeSql(scope, params)}`;
  const from = `FROM "Patient" p CROSS JOIN LATERAL jsonb_each_text(p.clinical) e WHERE ${where}`;
  const pattern = `$${params.length + 1}`;
  const numberOf = `CASE WHEN e.value ~ ${pattern} THEN e.value::float8 END`;
  const [stats, categories] = await Promise.all([
    // raw SQL: jsonb_each_text and aggregates over clinical JSON, which Prisma cannot express
    db.query<{ name: string; patients: number; distinct: number; min: number; max: number; mean: number }>(
      `SELECT e.key AS name, count(*)::int AS patients, count(DISTINCT e.value)::int AS "distinct",
         min(${numberOf}) AS min, max(${numberOf}) AS max, avg(${numberOf}) AS mean
       ${from} GROUP BY e.key`,
      [...params, NUMBER_PATTERN],
    ),
    // raw SQL: jsonb_each_text and aggregates over clinical JSON, which Prisma cannot express
    db.query<{ name: string; value: string; patients: number }>(
      `SELECT name, value, patients FROM (
         SELECT e.key AS name, e.value, count(*)::int AS patients,
           row_number() OVER (PARTITION BY e.key ORDER BY count(*) DESC, e.value) AS rank
         ${from} AND e.key = ANY(${pattern}::text[]) GROUP BY e.key, e.value) ranked
       WHERE rank <= ${MAX_CATEGORIES} ORDER BY name, rank`,
      [...params, [...types].filter(([, t]) => t !== 'NUMERIC').map(([n]) => n)],
    ),
  ]);
  const numeric = stats.rows.filter((r) => types.get(r.name) === 'NUMERIC' && r.min !== null);
  const bins = await histogramCounts(db, where, params, numeric);
  const byName = new Map(stats.rows.map((r) => [r.name, r]));
  return [...types].map(([name, type]): ClinicalAttribute => {
    const s = byName.get(name);
    const listed = categories.rows
      .filter((c) => c.name === name)
      .map(({ value, patients }) => ({ value, patients }));
    const patients = s?.patients ?? 0;
    const isNumeric = type === 'NUMERIC' && s !== undefined && s.min !== null;
    return {
      name,
      type,
      patients,
      distinct: s?.distinct ?? 0,
      min: isNumeric ? s.min : null,
      max: isNumeric ? s.max : null,
      mean: isNumeric ? s.mean : null,
      categories: listed,
      otherPatients: type === 'NUMERIC' ? 0 : patients - listed.reduce((n, c) => n + c.patients, 0),
      histogram: isNumeric ? histogram(s.min, s.max, bins.get(name) ?? new Map()) : [],
    };
  });
}

/** Patients per bin (1-based, as width_bucket numbers them) of each numeric attribute, counted in SQL. */
async function histogramCounts(
  db: pg.Pool,
  where: string,
  params: unknown[],
  numeric: readonly { name: string; min: number; max: number }[],
): Promise<Map<string, Map<number, number>>> {
  const out = new Map<string, Map<number, number>>();
  if (!numeric.length) return out;
  const n = params.length;
  // raw SQL: jsonb_each_text and aggregates over clinical JSON, which Prisma cannot express
  const { rows } = await db.query<{ name: string; bin: number; patients: number }>(
    `SELECT e.key AS name,
       CASE WHEN r.hi > r.lo THEN LEAST(width_bucket(e.value::float8, r.lo, r.hi, ${HISTOGRAM_BINS}), ${HISTOGRAM_BINS})
            ELSE 1 END AS bin,
       count(*)::int AS patients
     FROM "Patient" p CROSS JOIN LATERAL jsonb_each_text(p.clinical) e
     JOIN unnest($${n + 1}::text[], $${n + 2}::float8[], $${n + 3}::float8[]) AS r(key, lo, hi) ON r.key = e.key
     WHERE ${where} AND e.value ~ $${n + 4}
     GROUP BY 1, 2`,
    [
      ...params,
      numeric.map((r) => r.name),
      numeric.map((r) => r.min),
      numeric.map((r) => r.max),
      NUMBER_PATTERN,
    ],
  );
  for (const r of rows) {
    if (!out.has(r.name)) out.set(r.name, new Map());
    out.get(r.name)!.set(r.bin, r.patients);
  }
  return out;
}

function histogram(min: number, max: number, counts: ReadonlyMap<number, number>): HistogramBin[] {
  if (!(max > min)) return [{ low: min, high: max, patients: counts.get(1) ?? 0 }];
  const width = (max - min) / HISTOGRAM_BINS;
  return Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({
    low: min + i * width,
    high: i === HISTOGRAM_BINS - 1 ? max : min + (i + 1) * width,
    patients: counts.get(i + 1) ?? 0,
  }));
}
