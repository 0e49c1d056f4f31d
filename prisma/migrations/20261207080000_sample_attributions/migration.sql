-- A sample's stored gene attributions per model version and heads (services/core/src/inference/storedAttributions.ts).
CREATE TABLE "SampleAttribution" (
    "sampleId" INTEGER NOT NULL,
    "modelVersionId" INTEGER NOT NULL,
    "headsId" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "ms" DOUBLE PRECISION NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SampleAttribution_pkey" PRIMARY KEY ("sampleId","modelVersionId","headsId")
);

CREATE INDEX "SampleAttribution_modelVersionId_headsId_idx" ON "SampleAttribution"("modelVersionId", "headsId");

ALTER TABLE "SampleAttribution" ADD CONSTRAINT "SampleAttribution_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "SampleAttribution" ADD CONSTRAINT "SampleAttribution_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
