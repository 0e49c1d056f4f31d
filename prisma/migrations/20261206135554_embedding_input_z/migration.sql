-- AlterTable
ALTER TABLE "SampleEmbedding" ADD COLUMN     "inputZ" BYTEA;
