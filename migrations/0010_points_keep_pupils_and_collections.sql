-- A landed point's pupil and collection are not checked as each point is written either: each
-- check locked the pupil's row and cost as much as the write of a point. Deleting a pupil or a
-- collection that still has landed points is refused instead, as the keys refused it.
ALTER TABLE "assessments" DROP CONSTRAINT "assessments_pupil_id_pupils_id_fk";
--> statement-breakpoint
ALTER TABLE "assessments" DROP CONSTRAINT "assessments_collection_id_collections_id_fk";
--> statement-breakpoint
CREATE TRIGGER "pupils_keep_points" BEFORE DELETE ON "pupils"
	FOR EACH ROW EXECUTE FUNCTION assessments_keep_points('pupil_id');
--> statement-breakpoint
CREATE TRIGGER "collections_keep_points" BEFORE DELETE ON "collections"
	FOR EACH ROW EXECUTE FUNCTION assessments_keep_points('collection_id');
