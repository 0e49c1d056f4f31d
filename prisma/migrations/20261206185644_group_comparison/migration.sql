-- CreateEnum
CREATE TYPE "ComparisonState" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- CreateTable
CREATE TABLE "GroupComparison" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "state" "ComparisonState" NOT NULL DEFAULT 'QUEUED',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "stage" TEXT,
    "jobId" TEXT,
    "requestedBy" TEXT,
    "result" BYTEA,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "GroupComparison_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GroupComparison_key_key" ON "GroupComparison"("key");
