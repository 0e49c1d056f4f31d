-- AlterTable
ALTER TABLE "Sample" ADD COLUMN     "simulated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Cohort" ADD COLUMN     "simulated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Import" ADD COLUMN     "simulated" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "trainedOnSimulated" BOOLEAN NOT NULL DEFAULT false;
