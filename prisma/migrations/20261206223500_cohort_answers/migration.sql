-- CreateTable
CREATE TABLE "CohortAnswer" (
    "cohortId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CohortAnswer_pkey" PRIMARY KEY ("cohortId","key")
);

-- AddForeignKey
ALTER TABLE "CohortAnswer" ADD CONSTRAINT "CohortAnswer_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "Cohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;
