-- AlterTable
ALTER TABLE "Cohort" ADD COLUMN     "builtAt" TIMESTAMP(3),
ADD COLUMN     "filter" JSONB;
