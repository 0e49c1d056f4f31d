-- CreateEnum
CREATE TYPE "PrecomputeState" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- CreateTable
CREATE TABLE "SamplePrediction" (
    "sampleId" INTEGER NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "headsId" TEXT NOT NULL,
    "inputGenes" INTEGER NOT NULL,
    "predictedType" TEXT,
    "riskScore" DOUBLE PRECISION,
    "prediction" JSONB,
    "batchId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SamplePrediction_pkey" PRIMARY KEY ("modelVersionId","headsId","sampleId")
);

-- CreateTable
CREATE TABLE "PrecomputeBatch" (
    "id" SERIAL NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "headsId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "sampleIds" INTEGER[],
    "state" "PrecomputeState" NOT NULL DEFAULT 'QUEUED',
    "jobId" TEXT,
    "executions" INTEGER NOT NULL DEFAULT 0,
    "workerId" TEXT,
    "computed" INTEGER,
    "embedded" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "PrecomputeBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PrecomputeSample" (
    "modelVersionId" INTEGER NOT NULL,
    "headsId" TEXT NOT NULL,
    "sampleId" INTEGER NOT NULL,
    "batchId" INTEGER NOT NULL,

    CONSTRAINT "PrecomputeSample_pkey" PRIMARY KEY ("modelVersionId","headsId","sampleId")
);

-- CreateIndex
CREATE INDEX "SamplePrediction_sampleId_idx" ON "SamplePrediction"("sampleId");

-- CreateIndex
CREATE INDEX "PrecomputeBatch_modelVersionId_state_idx" ON "PrecomputeBatch"("modelVersionId", "state");

-- CreateIndex
CREATE INDEX "PrecomputeSample_batchId_idx" ON "PrecomputeSample"("batchId");

-- AddForeignKey
ALTER TABLE "SamplePrediction" ADD CONSTRAINT "SamplePrediction_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SamplePrediction" ADD CONSTRAINT "SamplePrediction_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PrecomputeBatch" ADD CONSTRAINT "PrecomputeBatch_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PrecomputeSample" ADD CONSTRAINT "PrecomputeSample_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "PrecomputeBatch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
