-- AlterTable
ALTER TABLE "ModelVersion" ADD COLUMN     "checkpointDigest" TEXT;

-- CreateTable
CREATE TABLE "ModelFile" (
    "modelVersionId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,

    CONSTRAINT "ModelFile_pkey" PRIMARY KEY ("modelVersionId","name")
);

-- AddForeignKey
ALTER TABLE "ModelFile" ADD CONSTRAINT "ModelFile_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
