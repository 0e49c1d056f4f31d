-- The attribution progress row is a claim kept alive by a heartbeat (services/core/src/inference/attributionProgress.ts):
-- its owner, what the computation is doing, and how many computations are ahead of it while it waits for the model.
ALTER TABLE "SampleAttributionProgress" ADD COLUMN "owner" TEXT NOT NULL DEFAULT '',
ADD COLUMN "stage" TEXT NOT NULL DEFAULT 'STARTING',
ADD COLUMN "computationsAhead" INTEGER;
