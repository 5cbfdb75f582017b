-- A kept page is already gzip-compressed, and the ids a run has seen are kept only until the run
-- lands: the database need not try to compress either again before storing it.
ALTER TABLE "raw_payloads" ALTER COLUMN "body" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "sync_run_seen" ALTER COLUMN "external_ids" SET STORAGE EXTERNAL;
