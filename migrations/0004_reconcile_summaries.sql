CREATE TABLE "reconcile_summaries" (
	"school_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"scope" text NOT NULL,
	"version" bigint NOT NULL,
	"rows" jsonb NOT NULL,
	"counted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reconcile_summaries_school_id_kind_scope_pk" PRIMARY KEY("school_id","kind","scope")
);
--> statement-breakpoint
CREATE TABLE "school_derivations" (
	"school_id" uuid PRIMARY KEY NOT NULL,
	"start_year" smallint NOT NULL,
	"derived_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "report_versions" ADD COLUMN "reconcile_version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "reconcile_summaries" ADD CONSTRAINT "reconcile_summaries_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "school_derivations" ADD CONSTRAINT "school_derivations_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Marks schools whose reconciliation has changed, on the same row and in the same order as the
-- report's marks, so that a writer touching both waits once and never deadlocks with another.
CREATE FUNCTION "reconcile_mark"(marked uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO report_versions (school_id, version, reconcile_version)
	SELECT id, 0, nextval('report_version_seq')
	FROM (SELECT DISTINCT unnest(marked) AS id) m
	WHERE id IS NOT NULL AND EXISTS (SELECT 1 FROM schools s WHERE s.id = m.id)
	ORDER BY id
	ON CONFLICT (school_id) DO UPDATE SET reconcile_version = excluded.reconcile_version;
END $$;
--> statement-breakpoint
CREATE FUNCTION "reconcile_mark_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM reconcile_mark(ARRAY(SELECT DISTINCT school_id FROM new_rows));
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM reconcile_mark(ARRAY(
			SELECT school_id FROM new_rows UNION SELECT school_id FROM old_rows));
	ELSE
		PERFORM reconcile_mark(ARRAY(SELECT DISTINCT school_id FROM old_rows));
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "reconcile_mark_all"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM reconcile_mark(ARRAY(SELECT id FROM schools));
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "staged_results_reconcile_insert" AFTER INSERT ON "staged_results"
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "staged_results_reconcile_update" AFTER UPDATE ON "staged_results"
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "staged_results_reconcile_delete" AFTER DELETE ON "staged_results"
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "staged_results_reconcile_truncate" AFTER TRUNCATE ON "staged_results"
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_all();
--> statement-breakpoint
CREATE TRIGGER "aspects_reconcile_insert" AFTER INSERT ON "aspects"
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "aspects_reconcile_update" AFTER UPDATE ON "aspects"
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "aspects_reconcile_delete" AFTER DELETE ON "aspects"
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_rows();
--> statement-breakpoint
-- Source links and sources' runs name a source, subject mappings an aspect: the school is theirs.
CREATE FUNCTION "reconcile_mark_sourced"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM reconcile_mark(ARRAY(SELECT s.school_id FROM sources s
			WHERE s.id IN (SELECT source_id FROM new_rows)));
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM reconcile_mark(ARRAY(SELECT s.school_id FROM sources s
			WHERE s.id IN (SELECT source_id FROM new_rows UNION SELECT source_id FROM old_rows)));
	ELSE
		PERFORM reconcile_mark(ARRAY(SELECT s.school_id FROM sources s
			WHERE s.id IN (SELECT source_id FROM old_rows)));
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "source_pupils_reconcile_insert" AFTER INSERT ON "source_pupils"
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_sourced();
--> statement-breakpoint
CREATE TRIGGER "source_pupils_reconcile_update" AFTER UPDATE ON "source_pupils"
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_sourced();
--> statement-breakpoint
CREATE TRIGGER "source_pupils_reconcile_delete" AFTER DELETE ON "source_pupils"
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_sourced();
--> statement-breakpoint
CREATE FUNCTION "reconcile_mark_mappings"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM reconcile_mark(ARRAY(SELECT a.school_id FROM aspects a
			WHERE a.id IN (SELECT aspect_id FROM new_rows)));
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM reconcile_mark(ARRAY(SELECT a.school_id FROM aspects a
			WHERE a.id IN (SELECT aspect_id FROM new_rows UNION SELECT aspect_id FROM old_rows)));
	ELSE
		PERFORM reconcile_mark(ARRAY(SELECT a.school_id FROM aspects a
			WHERE a.id IN (SELECT aspect_id FROM old_rows)));
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "subject_mappings_reconcile_insert" AFTER INSERT ON "subject_mappings"
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_mappings();
--> statement-breakpoint
CREATE TRIGGER "subject_mappings_reconcile_update" AFTER UPDATE ON "subject_mappings"
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_mappings();
--> statement-breakpoint
CREATE TRIGGER "subject_mappings_reconcile_delete" AFTER DELETE ON "subject_mappings"
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_mappings();
--> statement-breakpoint
-- A rule for the whole trust (no school) can apply at every school.
CREATE FUNCTION "reconcile_mark_rules"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (TG_OP <> 'DELETE' AND NEW.school_id IS NULL) OR (TG_OP <> 'INSERT' AND OLD.school_id IS NULL)
	THEN
		PERFORM reconcile_mark(ARRAY(SELECT id FROM schools));
	ELSE
		PERFORM reconcile_mark(ARRAY[
			CASE WHEN TG_OP <> 'DELETE' THEN NEW.school_id END,
			CASE WHEN TG_OP <> 'INSERT' THEN OLD.school_id END]);
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "grade_rules_reconcile" AFTER INSERT OR UPDATE OR DELETE ON "grade_rules"
	FOR EACH ROW EXECUTE FUNCTION reconcile_mark_rules();
--> statement-breakpoint
-- A source's name, school and whether it is archived, and its newest run's outcome, are what
-- the missing pupils read; a run's progress counters are not, so they mark nothing.
CREATE FUNCTION "reconcile_mark_school_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM reconcile_mark(ARRAY[
		CASE WHEN TG_OP <> 'DELETE' THEN NEW.school_id END,
		CASE WHEN TG_OP <> 'INSERT' THEN OLD.school_id END]);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "sources_reconcile" AFTER INSERT OR UPDATE OR DELETE ON "sources"
	FOR EACH ROW EXECUTE FUNCTION reconcile_mark_school_row();
--> statement-breakpoint
CREATE TRIGGER "sync_runs_reconcile_insert" AFTER INSERT OR DELETE ON "sync_runs"
	FOR EACH ROW EXECUTE FUNCTION reconcile_mark_school_row();
--> statement-breakpoint
CREATE TRIGGER "sync_runs_reconcile_update" AFTER UPDATE ON "sync_runs"
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
		OR OLD.message IS DISTINCT FROM NEW.message OR OLD.queued_at IS DISTINCT FROM NEW.queued_at)
	EXECUTE FUNCTION reconcile_mark_school_row();
--> statement-breakpoint
CREATE TRIGGER "aspects_reconcile_truncate" AFTER TRUNCATE ON "aspects"
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_all();
--> statement-breakpoint
CREATE TRIGGER "source_pupils_reconcile_truncate" AFTER TRUNCATE ON "source_pupils"
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_all();
--> statement-breakpoint
CREATE TRIGGER "subject_mappings_reconcile_truncate" AFTER TRUNCATE ON "subject_mappings"
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_all();
--> statement-breakpoint
CREATE TRIGGER "grade_rules_reconcile_truncate" AFTER TRUNCATE ON "grade_rules"
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_all();
--> statement-breakpoint
CREATE TRIGGER "sources_reconcile_truncate" AFTER TRUNCATE ON "sources"
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_all();
--> statement-breakpoint
CREATE TRIGGER "sync_runs_reconcile_truncate" AFTER TRUNCATE ON "sync_runs"
	FOR EACH STATEMENT EXECUTE FUNCTION reconcile_mark_all();
