-- Data only: marks what databases seeded before the SIMULATED marker already hold. Samples with the project
-- code GXSM (reserved for `gexbert simulate` barcodes, e.g. the demo cohort) are simulated; so are the imports
-- that stored them, the cohorts holding them and the retrained model versions trained on them (the shipped
-- model, without a parent, was not trained on the database's samples).
UPDATE "Sample" SET "simulated" = true WHERE "barcode" LIKE 'GXSM-%' AND NOT "simulated";

UPDATE "Import" i SET "simulated" = true
WHERE NOT i."simulated" AND EXISTS (SELECT 1 FROM "Sample" s WHERE s."importId" = i."id" AND s."simulated");

UPDATE "Cohort" c SET "simulated" = true
WHERE NOT c."simulated" AND EXISTS (
  SELECT 1 FROM "CohortSample" cs JOIN "Sample" s ON s."id" = cs."sampleId"
  WHERE cs."cohortId" = c."id" AND s."simulated");

UPDATE "ModelVersion" v SET "trainedOnSimulated" = true
WHERE NOT v."trainedOnSimulated" AND v."parentId" IS NOT NULL AND EXISTS (
  SELECT 1 FROM "ModelTrainingSample" t JOIN "Sample" s ON s."id" = t."sampleId"
  WHERE t."modelVersionId" = v."id" AND s."simulated");
