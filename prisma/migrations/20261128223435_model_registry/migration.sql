-- CreateEnum
CREATE TYPE "ModelStatus" AS ENUM ('TRAINING', 'CANDIDATE', 'ACTIVE', 'RETIRED', 'FAILED');

-- CreateEnum
CREATE TYPE "TrainingRunStatus" AS ENUM ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "checkpointPath" TEXT NOT NULL,
    "parentId" INTEGER,
    "status" "ModelStatus" NOT NULL,
    "active" BOOLEAN,
    "config" JSONB NOT NULL,
    "metrics" JSONB NOT NULL DEFAULT '{}',
    "heads" JSONB,
    "gate" JSONB,
    "trainingSampleCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMP(3),
    "retiredAt" TIMESTAMP(3),

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelTrainingSample" (
    "modelVersionId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,

    CONSTRAINT "ModelTrainingSample_pkey" PRIMARY KEY ("modelVersionId","sampleId")
);

-- CreateTable
CREATE TABLE "TrainingRun" (
    "id" SERIAL NOT NULL,
    "jobId" TEXT,
    "reason" TEXT NOT NULL,
    "requestedBy" TEXT,
    "status" "TrainingRunStatus" NOT NULL DEFAULT 'QUEUED',
    "modelVersionId" INTEGER,
    "config" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "epoch" INTEGER,
    "totalEpochs" INTEGER,
    "step" INTEGER,
    "totalSteps" INTEGER,
    "loss" DOUBLE PRECISION,
    "valLoss" DOUBLE PRECISION,
    "samplesPerSec" DOUBLE PRECISION,
    "etaSeconds" DOUBLE PRECISION,
    "workerId" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "TrainingRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SampleEmbedding" (
    "sampleId" INTEGER NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "vector" BYTEA NOT NULL,
    "inputGenes" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SampleEmbedding_pkey" PRIMARY KEY ("sampleId","modelVersionId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_name_key" ON "ModelVersion"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_active_key" ON "ModelVersion"("active");

-- CreateIndex
CREATE INDEX "ModelVersion_status_idx" ON "ModelVersion"("status");

-- CreateIndex
CREATE INDEX "ModelTrainingSample_sampleId_idx" ON "ModelTrainingSample"("sampleId");

-- CreateIndex
CREATE UNIQUE INDEX "TrainingRun_jobId_key" ON "TrainingRun"("jobId");

-- CreateIndex
CREATE INDEX "TrainingRun_status_idx" ON "TrainingRun"("status");

-- CreateIndex
CREATE INDEX "SampleEmbedding_modelVersionId_idx" ON "SampleEmbedding"("modelVersionId");

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelTrainingSample" ADD CONSTRAINT "ModelTrainingSample_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelTrainingSample" ADD CONSTRAINT "ModelTrainingSample_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SampleEmbedding" ADD CONSTRAINT "SampleEmbedding_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SampleEmbedding" ADD CONSTRAINT "SampleEmbedding_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
