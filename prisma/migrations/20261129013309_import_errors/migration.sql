-- AlterTable
ALTER TABLE "Import" ADD COLUMN     "error" TEXT;

-- CreateIndex
CREATE INDEX "Import_status_idx" ON "Import"("status");
