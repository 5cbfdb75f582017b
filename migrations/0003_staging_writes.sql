ALTER TABLE "staged_results" DROP CONSTRAINT "staged_results_school_id_schools_id_fk";
--> statement-breakpoint
ALTER TABLE "staged_results" DROP CONSTRAINT "staged_results_aspect_id_aspects_id_fk";
--> statement-breakpoint
ALTER TABLE "staged_results" DROP CONSTRAINT "staged_results_collection_id_collections_id_fk";
--> statement-breakpoint
DROP INDEX "staged_results_pupil_idx";--> statement-breakpoint
-- Half-empty pages: landing marks each staged row of a run as no longer pending, and with room
-- beside it that update stays on the row's page and leaves every index as it was.
ALTER TABLE "staged_results" SET (fillfactor = 50);
