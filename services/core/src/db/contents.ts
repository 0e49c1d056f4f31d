// What the database holds, counted: what `gexbert db status` reports.
import type { PrismaClient } from './prisma.ts';

export interface DatabaseContents {
  patients: number;
  samples: number;
  genes: number;
  cohorts: number;
  imports: number;
}

export async function databaseContents(prisma: PrismaClient): Promise<DatabaseContents> {
  const [patients, samples, genes, cohorts, imports] = await Promise.all([
    prisma.patient.count(),
    prisma.sample.count(),
    prisma.gene.count(),
    prisma.cohort.count(),
    prisma.import.count(),
  ]);
  return { patients, samples, genes, cohorts, imports };
}
