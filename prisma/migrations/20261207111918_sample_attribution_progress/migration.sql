-- Progress of a sample's attributions being computed, shared by every API replica (services/core/src/inference/attributionProgress.ts).
-- CreateTable
CREATE TABLE "SampleAttributionProgress" (
    "sampleId" INTEGER NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "headsId" TEXT NOT NULL,
    "genesDone" INTEGER NOT NULL DEFAULT 0,
    "genesTotal" INTEGER,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SampleAttributionProgress_pkey" PRIMARY KEY ("sampleId","modelVersionId","headsId")
);

-- AddForeignKey
ALTER TABLE "SampleAttributionProgress" ADD CONSTRAINT "SampleAttributionProgress_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SampleAttributionProgress" ADD CONSTRAINT "SampleAttributionProgress_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
