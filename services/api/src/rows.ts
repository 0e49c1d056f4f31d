// The shapes resolvers pass around (rows as read from PostgreSQL); codegen maps GraphQL types onto them.
import type { ApiTokenRecord, Role } from '@gexbert/core/auth/tokens';
import type { CohortRecord } from '@gexbert/core/cohort/records';
import type { Db } from '@gexbert/core/db/prisma';
import type { ExpressionUnit } from '@gexbert/core/formats/types';
import type { GeneRecord } from '@gexbert/core/gene/records';
import type { ImportRecord } from '@gexbert/core/ingest/records';
import type { PatientRecord } from '@gexbert/core/patient/records';
import type { CompositionRecord, SampleRecord } from '@gexbert/core/sample/records';

export type { Role };
export type SampleTypeValue = Db.SampleType;
export type PatientRow = PatientRecord;
export type SampleRow = SampleRecord;

export type GeneRow = GeneRecord;

export type CohortRow = CohortRecord;

export type ImportRow = ImportRecord;

export type CompositionRow = CompositionRecord;

/** One Kaplan-Meier group as computed (or read from a stored answer): SurvivalGroup.steps derives from curve. */
export interface SurvivalGroupRow {
  name: string;
  cancerType: string | null;
  patients: number;
  events: number;
  medianDays: number | null;
  medianLowerDays: number | null;
  medianUpperDays: number | null;
  curve: { timeDays: number; survival: number; atRisk: number; events: number }[];
}

export type ApiTokenRow = ApiTokenRecord;

export interface ExpressionValueRow {
  gene: GeneRow;
  unit: ExpressionUnit;
  value: number | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  totalCount: number;
}

/** A TrainingRun row (the same shape whether read by Prisma or by node-postgres). */
export type TrainingRunRow = Db.TrainingRun;
