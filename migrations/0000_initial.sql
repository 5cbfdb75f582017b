CREATE TYPE "public"."collection_kind" AS ENUM('autumn', 'spring', 'summer', 'baseline');--> statement-breakpoint
CREATE TYPE "public"."decision_status" AS ENUM('proposed', 'confirmed', 'rejected', 'superseded');--> statement-breakpoint
CREATE TYPE "public"."failure_category" AS ENUM('auth', 'config', 'rate_limited', 'transient', 'bad_data', 'internal');--> statement-breakpoint
CREATE TYPE "public"."role_name" AS ENUM('trust_admin', 'trust_analyst', 'subject_leader', 'school_data_lead', 'viewer');--> statement-breakpoint
CREATE TYPE "public"."rule_match" AS ENUM('value', 'range', 'alias');--> statement-breakpoint
CREATE TYPE "public"."run_mode" AS ENUM('full', 'incremental');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('queued', 'running', 'succeeded', 'succeeded_with_warnings', 'failed', 'interrupted', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."run_trigger" AS ENUM('schedule', 'manual', 'upload', 'replay');--> statement-breakpoint
CREATE TYPE "public"."school_phase" AS ENUM('primary', 'secondary', 'all_through', 'special', 'alternative_provision');--> statement-breakpoint
CREATE TYPE "public"."school_setting" AS ENUM('mainstream', 'specialist');--> statement-breakpoint
CREATE TYPE "public"."school_status" AS ENUM('active', 'archived');--> statement-breakpoint
CREATE TYPE "public"."sen_status" AS ENUM('N', 'K', 'E');--> statement-breakpoint
CREATE TYPE "public"."term_kind" AS ENUM('autumn', 'spring', 'summer');--> statement-breakpoint
CREATE TABLE "academic_years" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "academic_years_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"start_year" smallint NOT NULL,
	"label" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "aspects" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "aspects_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"source_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"grade_set" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assessment_conflicts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "assessment_conflicts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pupil_id" uuid NOT NULL,
	"subject_id" integer NOT NULL,
	"collection_id" integer NOT NULL,
	"kept_staged_result_id" bigint NOT NULL,
	"other_staged_result_id" bigint NOT NULL,
	"reason" text NOT NULL,
	"detected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assessments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "assessments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pupil_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"subject_id" integer NOT NULL,
	"collection_id" integer NOT NULL,
	"nx_point_id" uuid NOT NULL,
	"source_id" uuid,
	"run_id" uuid,
	"staged_result_id" bigint,
	"raw_value" text NOT NULL,
	"grade_rule_id" bigint,
	"assessed_on" date,
	"landed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" uuid,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"school_id" uuid,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collections" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "collections_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"academic_year_id" integer NOT NULL,
	"term_id" integer NOT NULL,
	"kind" "collection_kind" NOT NULL,
	"school_id" uuid,
	"label" text NOT NULL,
	"collection_date" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grade_rules" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "grade_rules_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rule_key" uuid NOT NULL,
	"version" integer NOT NULL,
	"school_id" uuid,
	"subject_id" integer,
	"aspect_id" integer,
	"grade_set" text,
	"year_from" smallint,
	"year_to" smallint,
	"match" "rule_match" NOT NULL,
	"value" text,
	"range_min" numeric,
	"range_max" numeric,
	"alias_of" text,
	"nx_point_id" uuid,
	"status" "decision_status" NOT NULL,
	"suggested_by_system" boolean DEFAULT false NOT NULL,
	"proposed_by" uuid,
	"proposal_reason" text NOT NULL,
	"proposed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_reason" text
);
--> statement-breakpoint
CREATE TABLE "half_terms" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "half_terms_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"term_id" integer NOT NULL,
	"half" smallint NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nx_points" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"position" smallint NOT NULL,
	"mainstream_descriptor" text DEFAULT '' NOT NULL,
	"specialist_descriptor" text DEFAULT '' NOT NULL,
	"qualification_descriptor" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pupil_match_suggestions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "pupil_match_suggestions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source_pupil_id" bigint NOT NULL,
	"pupil_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pupils" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"upn" text,
	"former_upn" text,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"date_of_birth" date,
	"sex" text,
	"nc_year" text,
	"nc_year_ordinal" smallint,
	"sen_status" "sen_status",
	"disadvantaged" boolean,
	"eal" boolean,
	"on_roll_from" date,
	"on_roll_to" date,
	"left_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "raw_payloads" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "raw_payloads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"label" text NOT NULL,
	"content_type" text NOT NULL,
	"body" "bytea" NOT NULL,
	"byte_size" integer NOT NULL,
	"sha256" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "record_problems" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "record_problems_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"location" text NOT NULL,
	"row" integer,
	"field" text,
	"code" text NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "role_grants" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "role_grants_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_id" uuid NOT NULL,
	"role" "role_name" NOT NULL,
	"school_id" uuid,
	"subject_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"urn" text NOT NULL,
	"laestab" text NOT NULL,
	"phase" "school_phase" NOT NULL,
	"setting" "school_setting" NOT NULL,
	"joined_trust_on" date NOT NULL,
	"status" "school_status" DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sign_in_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sign_in_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"email_key" text NOT NULL,
	"ip" text NOT NULL,
	"succeeded" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "source_pupils" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "source_pupils_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"pupil_id" uuid,
	"upn" text,
	"record" jsonb NOT NULL,
	"fingerprint" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_run_id" uuid,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"school_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" "bytea",
	"schedule" text,
	"full_schedule" text,
	"paused" boolean DEFAULT false NOT NULL,
	"archived_at" timestamp with time zone,
	"next_run_at" timestamp with time zone,
	"next_full_run_at" timestamp with time zone,
	"cursor" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staged_results" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "staged_results_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"pupil_external_id" text NOT NULL,
	"aspect_id" integer NOT NULL,
	"raw_value" text NOT NULL,
	"assessed_on" date,
	"period_label" text,
	"source_modified_at" timestamp with time zone,
	"fingerprint" text NOT NULL,
	"collection_id" integer,
	"pending" boolean DEFAULT true NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_run_id" uuid,
	"retracted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "subject_mappings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subject_mappings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"aspect_id" integer NOT NULL,
	"version" integer NOT NULL,
	"subject_id" integer,
	"ignored" boolean DEFAULT false NOT NULL,
	"status" "decision_status" NOT NULL,
	"proposed_by" uuid,
	"proposal_reason" text NOT NULL,
	"proposed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_reason" text
);
--> statement-breakpoint
CREATE TABLE "subjects" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subjects_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"code" text NOT NULL,
	"name" text NOT NULL,
	"position" smallint NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_run_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sync_run_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"level" text NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_run_seen" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sync_run_seen_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"entity" text NOT NULL,
	"external_ids" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source_id" uuid NOT NULL,
	"school_id" uuid NOT NULL,
	"trigger" "run_trigger" NOT NULL,
	"mode" "run_mode" NOT NULL,
	"requested_by" uuid,
	"status" "run_status" DEFAULT 'queued' NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"attempt" smallint DEFAULT 0 NOT NULL,
	"checkpoint" jsonb,
	"pages_done" integer DEFAULT 0 NOT NULL,
	"pupils_seen" integer DEFAULT 0 NOT NULL,
	"pupils_new" integer DEFAULT 0 NOT NULL,
	"pupils_changed" integer DEFAULT 0 NOT NULL,
	"pupils_left" integer DEFAULT 0 NOT NULL,
	"results_seen" integer DEFAULT 0 NOT NULL,
	"results_new" integer DEFAULT 0 NOT NULL,
	"results_changed" integer DEFAULT 0 NOT NULL,
	"results_unchanged" integer DEFAULT 0 NOT NULL,
	"results_retracted" integer DEFAULT 0 NOT NULL,
	"results_mapped" integer DEFAULT 0 NOT NULL,
	"results_unmapped" integer DEFAULT 0 NOT NULL,
	"results_landed" integer DEFAULT 0 NOT NULL,
	"problems" integer DEFAULT 0 NOT NULL,
	"failure_category" "failure_category",
	"failure_code" text,
	"message" text,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"replay_of" uuid,
	"collection_id" integer
);
--> statement-breakpoint
CREATE TABLE "targets" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "targets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pupil_id" uuid NOT NULL,
	"academic_year_id" integer NOT NULL,
	"subject_id" integer,
	"kind" text NOT NULL,
	"nx_point_id" uuid,
	"projection" text,
	"entered_by" uuid,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "targets_key" UNIQUE NULLS NOT DISTINCT("pupil_id","academic_year_id","kind","subject_id")
);
--> statement-breakpoint
CREATE TABLE "terms" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "terms_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"academic_year_id" integer NOT NULL,
	"kind" "term_kind" NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sign_in_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aspects" ADD CONSTRAINT "aspects_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aspects" ADD CONSTRAINT "aspects_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_conflicts" ADD CONSTRAINT "assessment_conflicts_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_conflicts" ADD CONSTRAINT "assessment_conflicts_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessment_conflicts" ADD CONSTRAINT "assessment_conflicts_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_nx_point_id_nx_points_id_fk" FOREIGN KEY ("nx_point_id") REFERENCES "public"."nx_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assessments" ADD CONSTRAINT "assessments_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collections" ADD CONSTRAINT "collections_academic_year_id_academic_years_id_fk" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collections" ADD CONSTRAINT "collections_term_id_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collections" ADD CONSTRAINT "collections_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_rules" ADD CONSTRAINT "grade_rules_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_rules" ADD CONSTRAINT "grade_rules_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_rules" ADD CONSTRAINT "grade_rules_aspect_id_aspects_id_fk" FOREIGN KEY ("aspect_id") REFERENCES "public"."aspects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_rules" ADD CONSTRAINT "grade_rules_nx_point_id_nx_points_id_fk" FOREIGN KEY ("nx_point_id") REFERENCES "public"."nx_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_rules" ADD CONSTRAINT "grade_rules_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_rules" ADD CONSTRAINT "grade_rules_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "half_terms" ADD CONSTRAINT "half_terms_term_id_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_match_suggestions" ADD CONSTRAINT "pupil_match_suggestions_source_pupil_id_source_pupils_id_fk" FOREIGN KEY ("source_pupil_id") REFERENCES "public"."source_pupils"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_match_suggestions" ADD CONSTRAINT "pupil_match_suggestions_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupil_match_suggestions" ADD CONSTRAINT "pupil_match_suggestions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pupils" ADD CONSTRAINT "pupils_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_payloads" ADD CONSTRAINT "raw_payloads_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "record_problems" ADD CONSTRAINT "record_problems_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_pupils" ADD CONSTRAINT "source_pupils_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_pupils" ADD CONSTRAINT "source_pupils_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staged_results" ADD CONSTRAINT "staged_results_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staged_results" ADD CONSTRAINT "staged_results_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staged_results" ADD CONSTRAINT "staged_results_aspect_id_aspects_id_fk" FOREIGN KEY ("aspect_id") REFERENCES "public"."aspects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staged_results" ADD CONSTRAINT "staged_results_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_mappings" ADD CONSTRAINT "subject_mappings_aspect_id_aspects_id_fk" FOREIGN KEY ("aspect_id") REFERENCES "public"."aspects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_mappings" ADD CONSTRAINT "subject_mappings_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_mappings" ADD CONSTRAINT "subject_mappings_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subject_mappings" ADD CONSTRAINT "subject_mappings_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_run_events" ADD CONSTRAINT "sync_run_events_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_run_seen" ADD CONSTRAINT "sync_run_seen_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_collection_id_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."collections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_pupil_id_pupils_id_fk" FOREIGN KEY ("pupil_id") REFERENCES "public"."pupils"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_academic_year_id_academic_years_id_fk" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_subject_id_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."subjects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_nx_point_id_nx_points_id_fk" FOREIGN KEY ("nx_point_id") REFERENCES "public"."nx_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "targets" ADD CONSTRAINT "targets_entered_by_users_id_fk" FOREIGN KEY ("entered_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terms" ADD CONSTRAINT "terms_academic_year_id_academic_years_id_fk" FOREIGN KEY ("academic_year_id") REFERENCES "public"."academic_years"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "academic_years_start_year_key" ON "academic_years" USING btree ("start_year");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "aspects_source_key" ON "aspects" USING btree ("source_id","key");--> statement-breakpoint
CREATE INDEX "assessment_conflicts_pupil_idx" ON "assessment_conflicts" USING btree ("pupil_id");--> statement-breakpoint
CREATE UNIQUE INDEX "assessments_key" ON "assessments" USING btree ("pupil_id","subject_id","collection_id");--> statement-breakpoint
CREATE INDEX "assessments_report_idx" ON "assessments" USING btree ("collection_id","school_id","subject_id");--> statement-breakpoint
CREATE INDEX "assessments_staged_idx" ON "assessments" USING btree ("staged_result_id");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity_type","entity_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "collections_termly_key" ON "collections" USING btree ("term_id","kind") WHERE "collections"."school_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "collections_baseline_key" ON "collections" USING btree ("school_id") WHERE "collections"."kind" = 'baseline';--> statement-breakpoint
CREATE UNIQUE INDEX "grade_rules_version_key" ON "grade_rules" USING btree ("rule_key","version");--> statement-breakpoint
CREATE UNIQUE INDEX "grade_rules_confirmed_key" ON "grade_rules" USING btree ("rule_key") WHERE "grade_rules"."status" = 'confirmed';--> statement-breakpoint
CREATE INDEX "grade_rules_scope_idx" ON "grade_rules" USING btree ("school_id","subject_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "half_terms_term_half_key" ON "half_terms" USING btree ("term_id","half");--> statement-breakpoint
CREATE UNIQUE INDEX "nx_points_code_key" ON "nx_points" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "pupils_school_upn_key" ON "pupils" USING btree ("school_id","upn") WHERE "pupils"."upn" is not null;--> statement-breakpoint
CREATE INDEX "pupils_school_idx" ON "pupils" USING btree ("school_id");--> statement-breakpoint
CREATE INDEX "pupils_name_idx" ON "pupils" USING btree ("school_id",lower("last_name"));--> statement-breakpoint
CREATE UNIQUE INDEX "raw_payloads_run_seq_key" ON "raw_payloads" USING btree ("run_id","seq");--> statement-breakpoint
CREATE INDEX "raw_payloads_expires_idx" ON "raw_payloads" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "record_problems_run_idx" ON "record_problems" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "role_grants_user_idx" ON "role_grants" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "schools_urn_key" ON "schools" USING btree ("urn");--> statement-breakpoint
CREATE UNIQUE INDEX "schools_laestab_key" ON "schools" USING btree ("laestab");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sign_in_attempts_email_idx" ON "sign_in_attempts" USING btree ("email_key","at");--> statement-breakpoint
CREATE UNIQUE INDEX "source_pupils_key" ON "source_pupils" USING btree ("source_id","external_id");--> statement-breakpoint
CREATE INDEX "source_pupils_pupil_idx" ON "source_pupils" USING btree ("pupil_id");--> statement-breakpoint
CREATE INDEX "sources_school_idx" ON "sources" USING btree ("school_id");--> statement-breakpoint
CREATE INDEX "sources_next_run_idx" ON "sources" USING btree ("next_run_at");--> statement-breakpoint
CREATE UNIQUE INDEX "staged_results_key" ON "staged_results" USING btree ("source_id","external_id");--> statement-breakpoint
CREATE INDEX "staged_results_aspect_idx" ON "staged_results" USING btree ("aspect_id","raw_value");--> statement-breakpoint
CREATE INDEX "staged_results_pupil_idx" ON "staged_results" USING btree ("source_id","pupil_external_id");--> statement-breakpoint
CREATE INDEX "staged_results_school_idx" ON "staged_results" USING btree ("school_id","collection_id");--> statement-breakpoint
CREATE UNIQUE INDEX "subject_mappings_version_key" ON "subject_mappings" USING btree ("aspect_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "subject_mappings_confirmed_key" ON "subject_mappings" USING btree ("aspect_id") WHERE "subject_mappings"."status" = 'confirmed';--> statement-breakpoint
CREATE UNIQUE INDEX "subjects_code_key" ON "subjects" USING btree ("code");--> statement-breakpoint
CREATE INDEX "sync_run_events_run_idx" ON "sync_run_events" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "sync_run_seen_run_idx" ON "sync_run_seen" USING btree ("run_id","entity");--> statement-breakpoint
CREATE INDEX "sync_runs_source_idx" ON "sync_runs" USING btree ("source_id","queued_at");--> statement-breakpoint
CREATE INDEX "sync_runs_status_idx" ON "sync_runs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_active_key" ON "sync_runs" USING btree ("source_id") WHERE "sync_runs"."status" in ('queued', 'running', 'interrupted');--> statement-breakpoint
CREATE UNIQUE INDEX "terms_year_kind_key" ON "terms" USING btree ("academic_year_id","kind");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree (lower("email"));