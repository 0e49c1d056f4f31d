-- A cohort's membership version: raised by the database on every insert, update or delete of its
-- CohortSample rows, whoever writes them, so a stored cohort answer's fingerprint is read in O(1) instead of
-- hashing every member (services/core/src/inference/cohortAnswers.ts).
ALTER TABLE "Cohort" ADD COLUMN "membersVersion" INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION cohort_members_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "Cohort" SET "membersVersion" = "membersVersion" + 1
    WHERE id IN (SELECT DISTINCT "cohortId" FROM new_members);
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "Cohort" SET "membersVersion" = "membersVersion" + 1
    WHERE id IN (SELECT DISTINCT "cohortId" FROM old_members);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "CohortSample_inserted" AFTER INSERT ON "CohortSample"
  REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION cohort_members_changed();
CREATE TRIGGER "CohortSample_updated" AFTER UPDATE ON "CohortSample"
  REFERENCING OLD TABLE AS old_members NEW TABLE AS new_members
  FOR EACH STATEMENT EXECUTE FUNCTION cohort_members_changed();
CREATE TRIGGER "CohortSample_deleted" AFTER DELETE ON "CohortSample"
  REFERENCING OLD TABLE AS old_members FOR EACH STATEMENT EXECUTE FUNCTION cohort_members_changed();
