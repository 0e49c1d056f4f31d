-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "SampleType" AS ENUM ('TUMOR', 'NORMAL', 'CONTROL', 'OTHER');

-- CreateEnum
CREATE TYPE "ExpressionUnit" AS ENUM ('RAW_COUNT', 'TPM', 'FPKM', 'FPKM_UQ', 'LOG2_COUNT_PLUS1', 'LOG2_TPM_PLUS1', 'LOG2_FPKM_PLUS1', 'LOG2_OTHER');

-- CreateEnum
CREATE TYPE "ValueEncoding" AS ENUM ('U32', 'F32');

-- CreateEnum
CREATE TYPE "ImportKind" AS ENUM ('COUNTS', 'GDC', 'XENA', 'CLINICAL');

-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "Patient" (
    "id" SERIAL NOT NULL,
    "barcode" TEXT NOT NULL,
    "projectId" TEXT,
    "cancerType" TEXT,
    "osDays" DOUBLE PRECISION,
    "osEvent" INTEGER,
    "osSourceUnit" TEXT,
    "clinical" JSONB,
    "clinicalImportId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Sample" (
    "id" SERIAL NOT NULL,
    "barcode" TEXT NOT NULL,
    "aliquotBarcode" TEXT,
    "patientId" INTEGER NOT NULL,
    "sampleTypeCode" TEXT,
    "sampleType" "SampleType" NOT NULL DEFAULT 'OTHER',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "importId" INTEGER NOT NULL,

    CONSTRAINT "Sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Gene" (
    "id" SERIAL NOT NULL,
    "ensemblId" TEXT NOT NULL,
    "version" INTEGER,
    "symbol" TEXT,
    "geneType" TEXT,

    CONSTRAINT "Gene_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GeneLayout" (
    "id" SERIAL NOT NULL,
    "checksum" TEXT NOT NULL,
    "geneCount" INTEGER NOT NULL,
    "geneIds" INTEGER[],

    CONSTRAINT "GeneLayout_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExpressionBlock" (
    "id" SERIAL NOT NULL,
    "importId" INTEGER NOT NULL,
    "unit" "ExpressionUnit" NOT NULL,
    "encoding" "ValueEncoding" NOT NULL,
    "layoutId" INTEGER NOT NULL,
    "sampleIds" INTEGER[],

    CONSTRAINT "ExpressionBlock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExpressionProfile" (
    "sampleId" INTEGER NOT NULL,
    "unit" "ExpressionUnit" NOT NULL,
    "blockId" INTEGER NOT NULL,
    "values" BYTEA NOT NULL,

    CONSTRAINT "ExpressionProfile_pkey" PRIMARY KEY ("sampleId","unit")
);

-- CreateTable
CREATE TABLE "GeneSlice" (
    "blockId" INTEGER NOT NULL,
    "geneId" INTEGER NOT NULL,
    "values" BYTEA NOT NULL,

    CONSTRAINT "GeneSlice_pkey" PRIMARY KEY ("geneId","blockId")
);

-- CreateTable
CREATE TABLE "Cohort" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Cohort_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CohortSample" (
    "cohortId" INTEGER NOT NULL,
    "sampleId" INTEGER NOT NULL,

    CONSTRAINT "CohortSample_pkey" PRIMARY KEY ("cohortId","sampleId")
);

-- CreateTable
CREATE TABLE "Import" (
    "id" SERIAL NOT NULL,
    "kind" "ImportKind" NOT NULL,
    "status" "ImportStatus" NOT NULL DEFAULT 'SUCCEEDED',
    "fileName" TEXT NOT NULL,
    "filePath" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "unit" "ExpressionUnit",
    "rowCount" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "geneCount" INTEGER NOT NULL,
    "skippedCount" INTEGER NOT NULL DEFAULT 0,
    "unmappedGenes" TEXT[],
    "warnings" TEXT[],
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Import_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Patient_barcode_key" ON "Patient"("barcode");

-- CreateIndex
CREATE INDEX "Patient_cancerType_idx" ON "Patient"("cancerType");

-- CreateIndex
CREATE UNIQUE INDEX "Sample_barcode_key" ON "Sample"("barcode");

-- CreateIndex
CREATE INDEX "Sample_patientId_idx" ON "Sample"("patientId");

-- CreateIndex
CREATE INDEX "Sample_importId_idx" ON "Sample"("importId");

-- CreateIndex
CREATE UNIQUE INDEX "Gene_ensemblId_key" ON "Gene"("ensemblId");

-- CreateIndex
CREATE INDEX "Gene_symbol_idx" ON "Gene"("symbol");

-- CreateIndex
CREATE UNIQUE INDEX "GeneLayout_checksum_key" ON "GeneLayout"("checksum");

-- CreateIndex
CREATE INDEX "ExpressionBlock_importId_idx" ON "ExpressionBlock"("importId");

-- CreateIndex
CREATE INDEX "ExpressionProfile_blockId_idx" ON "ExpressionProfile"("blockId");

-- CreateIndex
CREATE INDEX "GeneSlice_blockId_idx" ON "GeneSlice"("blockId");

-- CreateIndex
CREATE UNIQUE INDEX "Cohort_name_key" ON "Cohort"("name");

-- CreateIndex
CREATE INDEX "CohortSample_sampleId_idx" ON "CohortSample"("sampleId");

-- CreateIndex
CREATE INDEX "Import_checksum_idx" ON "Import"("checksum");

-- AddForeignKey
ALTER TABLE "Patient" ADD CONSTRAINT "Patient_clinicalImportId_fkey" FOREIGN KEY ("clinicalImportId") REFERENCES "Import"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sample" ADD CONSTRAINT "Sample_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sample" ADD CONSTRAINT "Sample_importId_fkey" FOREIGN KEY ("importId") REFERENCES "Import"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExpressionBlock" ADD CONSTRAINT "ExpressionBlock_importId_fkey" FOREIGN KEY ("importId") REFERENCES "Import"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExpressionBlock" ADD CONSTRAINT "ExpressionBlock_layoutId_fkey" FOREIGN KEY ("layoutId") REFERENCES "GeneLayout"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExpressionProfile" ADD CONSTRAINT "ExpressionProfile_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExpressionProfile" ADD CONSTRAINT "ExpressionProfile_blockId_fkey" FOREIGN KEY ("blockId") REFERENCES "ExpressionBlock"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "GeneSlice" ADD CONSTRAINT "GeneSlice_blockId_fkey" FOREIGN KEY ("blockId") REFERENCES "ExpressionBlock"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CohortSample" ADD CONSTRAINT "CohortSample_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CohortSample" ADD CONSTRAINT "CohortSample_sampleId_fkey" FOREIGN KEY ("sampleId") REFERENCES "Sample"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Packed expression vectors are not compressible enough to pay for pglz, and EXTERNAL storage lets
-- Postgres read a slice of a vector without fetching all of it.
ALTER TABLE "ExpressionProfile" ALTER COLUMN "values" SET STORAGE EXTERNAL;
ALTER TABLE "GeneSlice" ALTER COLUMN "values" SET STORAGE EXTERNAL;
