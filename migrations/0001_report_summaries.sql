CREATE TABLE "report_summaries" (
	"school_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"collection_id" integer NOT NULL,
	"variant" text DEFAULT '' NOT NULL,
	"as_of_year" smallint NOT NULL,
	"version" bigint NOT NULL,
	"rows" jsonb NOT NULL,
	"counted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_summaries_school_id_kind_collection_id_variant_as_of_year_pk" PRIMARY KEY("school_id","kind","collection_id","variant","as_of_year")
);
--> statement-breakpoint
CREATE TABLE "report_versions" (
	"school_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "report_summaries" ADD CONSTRAINT "report_summaries_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_summaries" ADD CONSTRAINT "report_summaries_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_versions" ADD CONSTRAINT "report_versions_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE SEQUENCE "report_version_seq";
--> statement-breakpoint
-- Marks schools whose report counts have changed. One statement-level call per write, so a run
-- landing thousands of points marks its school once; schools are taken in order, so two writers
-- marking the same schools wait for each other rather than deadlock.
CREATE FUNCTION "report_mark"(marked uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO report_versions (school_id, version)
	SELECT id, nextval('report_version_seq')
	FROM (SELECT DISTINCT unnest(marked) AS id) m
	WHERE id IS NOT NULL AND EXISTS (SELECT 1 FROM schools s WHERE s.id = m.id)
	ORDER BY id
	ON CONFLICT (school_id) DO UPDATE SET version = excluded.version;
END $$;
--> statement-breakpoint
CREATE FUNCTION "report_mark_rows"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM report_mark(ARRAY(SELECT DISTINCT school_id FROM new_rows));
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM report_mark(ARRAY(
			SELECT school_id FROM new_rows UNION SELECT school_id FROM old_rows));
	ELSE
		PERFORM report_mark(ARRAY(SELECT DISTINCT school_id FROM old_rows));
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
-- The scale, the subjects and the collections are counted by every school's report.
CREATE FUNCTION "report_mark_all"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM report_mark(ARRAY(SELECT id FROM schools));
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "assessments_report_insert" AFTER INSERT ON "assessments"
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "assessments_report_update" AFTER UPDATE ON "assessments"
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "assessments_report_delete" AFTER DELETE ON "assessments"
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "pupils_report_insert" AFTER INSERT ON "pupils"
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "pupils_report_update" AFTER UPDATE ON "pupils"
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "pupils_report_delete" AFTER DELETE ON "pupils"
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_rows();
--> statement-breakpoint
CREATE TRIGGER "nx_points_report" AFTER INSERT OR UPDATE OR DELETE ON "nx_points"
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_all();
--> statement-breakpoint
CREATE TRIGGER "subjects_report" AFTER INSERT OR UPDATE OR DELETE ON "subjects"
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_all();
--> statement-breakpoint
CREATE TRIGGER "collections_report" AFTER INSERT OR UPDATE OR DELETE ON "collections"
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_all();
--> statement-breakpoint
CREATE TRIGGER "academic_years_report" AFTER INSERT OR UPDATE OR DELETE ON "academic_years"
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_all();
--> statement-breakpoint
CREATE TRIGGER "assessments_report_truncate" AFTER TRUNCATE ON "assessments"
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_all();
--> statement-breakpoint
CREATE TRIGGER "pupils_report_truncate" AFTER TRUNCATE ON "pupils"
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_all();
--> statement-breakpoint
-- Targets name a pupil, not a school: the school is the pupil's.
CREATE FUNCTION "report_mark_targets"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM report_mark(ARRAY(
			SELECT DISTINCT p.school_id FROM new_rows r JOIN pupils p ON p.id = r.pupil_id));
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM report_mark(ARRAY(
			SELECT p.school_id FROM new_rows r JOIN pupils p ON p.id = r.pupil_id
			UNION SELECT p.school_id FROM old_rows r JOIN pupils p ON p.id = r.pupil_id));
	ELSE
		PERFORM report_mark(ARRAY(
			SELECT DISTINCT p.school_id FROM old_rows r JOIN pupils p ON p.id = r.pupil_id));
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "targets_report_insert" AFTER INSERT ON "targets"
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_targets();
--> statement-breakpoint
CREATE TRIGGER "targets_report_update" AFTER UPDATE ON "targets"
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION report_mark_targets();
--> statement-breakpoint
CREATE TRIGGER "targets_report_delete" AFTER DELETE ON "targets"
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_mark_targets();
