ALTER TABLE "assessment_conflicts" ADD COLUMN "resolved_by" uuid;--> statement-breakpoint
ALTER TABLE "assessment_conflicts" ADD COLUMN "resolved_by_label" text;--> statement-breakpoint
ALTER TABLE "assessment_conflicts" ADD COLUMN "resolution_note" text;--> statement-breakpoint
ALTER TABLE "assessment_conflicts" ADD CONSTRAINT "assessment_conflicts_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;