-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "TrainingRunStatus" ADD VALUE 'CANCELLED';
ALTER TYPE "TrainingRunStatus" ADD VALUE 'INTERRUPTED';

-- AlterTable
ALTER TABLE "TrainingRun" ADD COLUMN     "autoPromote" BOOLEAN,
ADD COLUMN     "cancelRequestedAt" TIMESTAMP(3),
ADD COLUMN     "cancelledAt" TIMESTAMP(3),
ADD COLUMN     "cancelledBy" TEXT;
