-- A landed point's school, subject, NX point and source are not checked as each point is
-- written (landing writes them by the hundred thousand; the checks cost three times the write).
ALTER TABLE "assessments" DROP CONSTRAINT "assessments_school_id_schools_id_fk";
--> statement-breakpoint
ALTER TABLE "assessments" DROP CONSTRAINT "assessments_subject_id_subjects_id_fk";
--> statement-breakpoint
ALTER TABLE "assessments" DROP CONSTRAINT "assessments_nx_point_id_nx_points_id_fk";
--> statement-breakpoint
ALTER TABLE "assessments" DROP CONSTRAINT "assessments_source_id_sources_id_fk";
--> statement-breakpoint
-- What the four keys guarded, checked where it can happen: deleting a school, subject, NX point
-- or source that still has landed points is refused, as the keys refused it.
CREATE FUNCTION "assessments_keep_points"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	has_points boolean;
BEGIN
	EXECUTE format('SELECT EXISTS (SELECT 1 FROM assessments WHERE %I = $1)', TG_ARGV[0])
		INTO has_points USING OLD.id;
	IF has_points THEN
		RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
			MESSAGE = format('%s %s has landed points and cannot be deleted', TG_TABLE_NAME, OLD.id);
	END IF;
	RETURN OLD;
END $$;
--> statement-breakpoint
CREATE TRIGGER "schools_keep_points" BEFORE DELETE ON "schools"
	FOR EACH ROW EXECUTE FUNCTION assessments_keep_points('school_id');
--> statement-breakpoint
CREATE TRIGGER "subjects_keep_points" BEFORE DELETE ON "subjects"
	FOR EACH ROW EXECUTE FUNCTION assessments_keep_points('subject_id');
--> statement-breakpoint
CREATE TRIGGER "nx_points_keep_points" BEFORE DELETE ON "nx_points"
	FOR EACH ROW EXECUTE FUNCTION assessments_keep_points('nx_point_id');
--> statement-breakpoint
CREATE TRIGGER "sources_keep_points" BEFORE DELETE ON "sources"
	FOR EACH ROW EXECUTE FUNCTION assessments_keep_points('source_id');
