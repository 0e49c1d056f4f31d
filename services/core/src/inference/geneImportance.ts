// A cohort's gene importance per cancer type: for each type of its members, the genes ranked by mean
// |attribution| over the first `attributionSamples` (core config) of the type's samples with model input, by
// sample ID (attribution.ts, each sample's attributions stored: storedAttributions.ts). One definition for
// the API, which reads the stored answer or computes it on request, and the worker's gene-importance job,
// which computes every type's and target's answer of a cohort ahead (services/worker/src/geneImportanceJob.ts)
// under the CohortAnswer key the API reads (cohortAnswers.ts).
import type pg from 'pg';
import { cohortSamplesOfCancerType } from '../cohort/records.ts';
import type { PrismaClient } from '../db/prisma.ts';
import {
  type AttributionTarget,
  meanAbsoluteAttribution,
  type ProfileAttributions,
  type TargetAttributions,
} from './attribution.ts';
import { INPUT_UNITS } from './precompute.ts';

export interface GeneImportanceEntry {
  rank: number;
  ensemblId: string;
  meanAbsAttribution: number;
  meanAttribution: number;
}

/** A type's ranking as stored (the API adds the model version it was asked for). */
export interface StoredGeneImportance {
  cancerType: string;
  target: AttributionTarget;
  samplesUsed: number;
  samplesOfType: number;
  rankedGenes: number;
  /** Every ranked gene, largest mean |attribution| first. */
  ranking: GeneImportanceEntry[];
}

/** A cancer type as the cohort's members are matched to it: upper case, without the TCGA- prefix. */
export function typeKey(cancerType: string): string {
  return cancerType.toUpperCase().replace(/^TCGA-/, '');
}

/** The CohortAnswer key of a type's ranking by a version's heads over `bound` samples. */
export function geneImportanceKey(
  modelVersionId: number,
  headsId: string,
  target: AttributionTarget,
  cancerType: string,
  bound: number,
): string {
  return `geneImportance/${modelVersionId}/${headsId}/${target}/${typeKey(cancerType)}/${bound}`;
}

/**
 * The ranking of the cohort's samples of a type, from the first `bound` of them whose attributions are not
 * null (`attributionsOf`: stored or computed); null when none has model input. `pick` reads the target's
 * attributions of an answer (a sample whose heads lack the target's head, null, is left out).
 */
export async function computeTypeGeneImportance(
  pool: pg.Pool,
  cohortId: number,
  cancerType: string,
  target: AttributionTarget,
  bound: number,
  attributionsOf: (sampleId: number) => Promise<ProfileAttributions | null>,
  pick: (answer: ProfileAttributions) => TargetAttributions | null,
): Promise<StoredGeneImportance | null> {
  const ids = await cohortSamplesOfCancerType(pool, cohortId, cancerType);
  const used: TargetAttributions[] = [];
  for (const id of ids) {
    if (used.length === bound) break;
    const answer = await attributionsOf(id);
    const picked = answer && pick(answer);
    if (picked) used.push(picked);
  }
  if (used.length === 0) return null;
  const ranking = meanAbsoluteAttribution(used).map((g, i) => ({
    rank: i + 1,
    ensemblId: g.gene,
    meanAbsAttribution: g.meanAbs,
    meanAttribution: g.meanSigned,
  }));
  return {
    cancerType,
    target,
    samplesUsed: used.length,
    samplesOfType: ids.length,
    rankedGenes: ranking.length,
    ranking,
  };
}

/** The cancer types of a cohort's members (as typeKey spells them), alphabetically. */
export async function cohortCancerTypes(pool: pg.Pool, cohortId: number): Promise<string[]> {
  // raw SQL: DISTINCT over a normalised cancer type (regexp_replace), which Prisma cannot express
  const { rows } = await pool.query<{ type: string }>(
    `SELECT DISTINCT upper(regexp_replace(p."cancerType", '^TCGA-', '', 'i')) AS type
     FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" JOIN "Patient" p ON p.id = s."patientId"
     WHERE cs."cohortId" = $1 AND p."cancerType" IS NOT NULL ORDER BY 1`,
    [cohortId],
  );
  return rows.map((r) => r.type);
}

export interface GeneImportanceProgress {
  /** Cancer types of the cohort's samples with model input. */
  types: number;
  /** Samples whose attributions the rankings need (up to `bound` per type), and of them those stored. */
  samplesNeeded: number;
  samplesAttributed: number;
  /** Rankings (type x target) stored at the cohort's current fingerprint. */
  rankingsStored: number;
}

/** How far the rankings of a cohort by a version's heads have got (what the worker's job has stored). */
export async function geneImportanceProgress(
  pool: pg.Pool,
  prisma: PrismaClient,
  cohortId: number,
  modelVersionId: number,
  headsId: string,
  bound: number,
  fingerprint: string,
): Promise<GeneImportanceProgress> {
  // raw SQL: window function (row_number per type) over a cohort's members, which Prisma cannot express
  const { rows } = await pool.query<Omit<GeneImportanceProgress, 'rankingsStored'>>(
    `WITH members AS (
       SELECT s.id, upper(regexp_replace(p."cancerType", '^TCGA-', '', 'i')) AS type,
         row_number() OVER (PARTITION BY upper(regexp_replace(p."cancerType", '^TCGA-', '', 'i')) ORDER BY s.id) AS n
       FROM "CohortSample" cs JOIN "Sample" s ON s.id = cs."sampleId" JOIN "Patient" p ON p.id = s."patientId"
       WHERE cs."cohortId" = $1 AND p."cancerType" IS NOT NULL
         AND EXISTS (SELECT 1 FROM "ExpressionProfile" e WHERE e."sampleId" = s.id AND e.unit::text = ANY($5::text[])))
     SELECT count(DISTINCT m.type)::int AS types, count(*)::int AS "samplesNeeded",
       count(a."sampleId")::int AS "samplesAttributed"
     FROM members m LEFT JOIN "SampleAttribution" a
       ON a."sampleId" = m.id AND a."modelVersionId" = $2 AND a."headsId" = $3
     WHERE m.n <= $4`,
    [cohortId, modelVersionId, headsId, bound, INPUT_UNITS],
  );
  const rankingsStored = await prisma.cohortAnswer.count({
    where: {
      cohortId,
      fingerprint,
      AND: [
        { key: { startsWith: `geneImportance/${modelVersionId}/${headsId}/` } },
        { key: { endsWith: `/${bound}` } },
      ],
    },
  });
  return { ...rows[0]!, rankingsStored };
}
