import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The whole product's data model. Tables are grouped as the product is: the trust and its school
 * year, people and access, sources and sync runs, staging, mapping, landing, reporting.
 */

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true });
/** A moment that defaults to when the row was written. */
const stamp = (name: string) => at(name).notNull().defaultNow();
const bigId = () => bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();

// ---------------------------------------------------------------------------------------------
// The trust, its schools and its school year

export const schoolPhase = pgEnum('school_phase', [
  'primary',
  'secondary',
  'all_through',
  'special',
  'alternative_provision',
]);
export const schoolSetting = pgEnum('school_setting', ['mainstream', 'specialist']);
export const schoolStatus = pgEnum('school_status', ['active', 'archived']);

export const schools = pgTable(
  'schools',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    urn: text('urn').notNull(),
    laestab: text('laestab').notNull(),
    phase: schoolPhase('phase').notNull(),
    setting: schoolSetting('setting').notNull(),
    /** The day the school became a trust academy; drives its baseline (policy 8.3). */
    joinedTrustOn: date('joined_trust_on').notNull(),
    status: schoolStatus('status').notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('schools_urn_key').on(t.urn),
    uniqueIndex('schools_laestab_key').on(t.laestab),
  ],
);

export const academicYears = pgTable(
  'academic_years',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    /** The calendar year the academic year starts in: 2026 for 2026/27. */
    startYear: smallint('start_year').notNull(),
    label: text('label').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
  },
  (t) => [uniqueIndex('academic_years_start_year_key').on(t.startYear)],
);

export const termKind = pgEnum('term_kind', ['autumn', 'spring', 'summer']);

export const terms = pgTable(
  'terms',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    academicYearId: integer('academic_year_id')
      .notNull()
      .references(() => academicYears.id, { onDelete: 'cascade' }),
    kind: termKind('kind').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
  },
  (t) => [uniqueIndex('terms_year_kind_key').on(t.academicYearId, t.kind)],
);

export const halfTerms = pgTable(
  'half_terms',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    termId: integer('term_id')
      .notNull()
      .references(() => terms.id, { onDelete: 'cascade' }),
    half: smallint('half').notNull(),
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
  },
  (t) => [uniqueIndex('half_terms_term_half_key').on(t.termId, t.half)],
);

export const collectionKind = pgEnum('collection_kind', ['autumn', 'spring', 'summer', 'baseline']);

/**
 * A collection point: one per term per year for every school (8.2), plus a baseline for each newly
 * converted school (8.3), held at the termly collection point that the baseline rule picks.
 */
export const collections = pgTable(
  'collections',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    academicYearId: integer('academic_year_id')
      .notNull()
      .references(() => academicYears.id, { onDelete: 'cascade' }),
    termId: integer('term_id')
      .notNull()
      .references(() => terms.id, { onDelete: 'cascade' }),
    kind: collectionKind('kind').notNull(),
    /** Set only for a baseline: the school it belongs to. */
    schoolId: uuid('school_id').references(() => schools.id),
    label: text('label').notNull(),
    /** Pupils on roll on this day are expected to have a point. */
    collectionDate: date('collection_date').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('collections_termly_key').on(t.termId, t.kind).where(sql`${t.schoolId} is null`),
    uniqueIndex('collections_baseline_key').on(t.schoolId).where(sql`${t.kind} = 'baseline'`),
  ],
);

export const subjects = pgTable(
  'subjects',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    position: smallint('position').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [uniqueIndex('subjects_code_key').on(t.code)],
);

/**
 * The Next Steps scale is data (policy Appendix 1). A point's id never changes; its code, order and
 * descriptors may, and landed assessments follow the id.
 */
export const nxPoints = pgTable(
  'nx_points',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    position: smallint('position').notNull(),
    mainstreamDescriptor: text('mainstream_descriptor').notNull().default(''),
    specialistDescriptor: text('specialist_descriptor').notNull().default(''),
    qualificationDescriptor: text('qualification_descriptor').notNull().default(''),
    active: boolean('active').notNull().default(true),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('nx_points_code_key').on(t.code)],
);

// ---------------------------------------------------------------------------------------------
// People and access

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    lastSignInAt: at('last_sign_in_at'),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const roleName = pgEnum('role_name', [
  'trust_admin',
  'trust_analyst',
  'subject_leader',
  'school_data_lead',
  'viewer',
]);

/** A role for a user: trust-wide when `schoolId` is null, for all subjects when `subjectId` is. */
export const roleGrants = pgTable(
  'role_grants',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: roleName('role').notNull(),
    schoolId: uuid('school_id').references(() => schools.id, { onDelete: 'cascade' }),
    subjectId: integer('subject_id').references(() => subjects.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [index('role_grants_user_idx').on(t.userId)],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie value: a stolen database does not yield live sessions. */
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
    lastSeenAt: stamp('last_seen_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
    expiresAt: at('expires_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash)],
);

export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    id: bigId(),
    emailKey: text('email_key').notNull(),
    ip: text('ip').notNull(),
    succeeded: boolean('succeeded').notNull(),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [index('sign_in_attempts_email_idx').on(t.emailKey, t.at)],
);

/** Who changed what: every change a person or the system makes (never secrets or raw values). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigId(),
    at: at('at').notNull().defaultNow(),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The actor as shown: a user's name at the time, or "system" or "scheduler". */
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    schoolId: uuid('school_id').references(() => schools.id, { onDelete: 'set null' }),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_log_entity_idx').on(t.entityType, t.entityId),
    index('audit_log_at_idx').on(t.at),
  ],
);

// ---------------------------------------------------------------------------------------------
// Sources and sync runs

export const sources = pgTable(
  'sources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** The connector kind: 'wonde', 'assembly', 'arbor', 'oneroster_rest', 'spreadsheet'... */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** AES-256-GCM sealed JSON of the secret fields; never sent to a browser. */
    secrets: bytea('secrets'),
    /** An interval ('every 24h') or a cron expression; null for upload-only sources. */
    schedule: text('schedule'),
    fullSchedule: text('full_schedule'),
    paused: boolean('paused').notNull().default(false),
    archivedAt: at('archived_at'),
    nextRunAt: at('next_run_at'),
    nextFullRunAt: at('next_full_run_at'),
    /** Left by the last successful pull for the next incremental one. */
    cursor: jsonb('cursor').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('sources_school_idx').on(t.schoolId),
    index('sources_next_run_idx').on(t.nextRunAt),
  ],
);

export const runStatus = pgEnum('run_status', [
  'queued',
  'running',
  'succeeded',
  'succeeded_with_warnings',
  'failed',
  'interrupted',
  'cancelled',
]);
export const runTrigger = pgEnum('run_trigger', ['schedule', 'manual', 'upload', 'replay']);
export const runMode = pgEnum('run_mode', ['full', 'incremental']);
export const failureCategory = pgEnum('failure_category', [
  'auth',
  'config',
  'rate_limited',
  'transient',
  'bad_data',
  'internal',
]);

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    trigger: runTrigger('trigger').notNull(),
    mode: runMode('mode').notNull(),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    status: runStatus('status').notNull().default('queued'),
    queuedAt: at('queued_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    /** The instance working on the run, and until when its claim holds. */
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: at('lease_expires_at'),
    attempt: smallint('attempt').notNull().default(0),
    /** Where the pull had got to after its last page: a resumed run starts here. */
    checkpoint: jsonb('checkpoint').$type<Record<string, unknown>>(),
    pagesDone: integer('pages_done').notNull().default(0),
    pupilsSeen: integer('pupils_seen').notNull().default(0),
    pupilsNew: integer('pupils_new').notNull().default(0),
    pupilsChanged: integer('pupils_changed').notNull().default(0),
    pupilsLeft: integer('pupils_left').notNull().default(0),
    resultsSeen: integer('results_seen').notNull().default(0),
    resultsNew: integer('results_new').notNull().default(0),
    resultsChanged: integer('results_changed').notNull().default(0),
    resultsUnchanged: integer('results_unchanged').notNull().default(0),
    resultsRetracted: integer('results_retracted').notNull().default(0),
    resultsMapped: integer('results_mapped').notNull().default(0),
    resultsUnmapped: integer('results_unmapped').notNull().default(0),
    resultsLanded: integer('results_landed').notNull().default(0),
    problems: integer('problems').notNull().default(0),
    failureCategory: failureCategory('failure_category'),
    failureCode: text('failure_code'),
    /** What the user sees: what went wrong and what to do about it. */
    message: text('message'),
    warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
    replayOf: uuid('replay_of'),
    /** Lands every result of the run in this collection, such as a school's baseline (8.3). */
    collectionId: integer('collection_id').references(() => collections.id),
  },
  (t) => [
    index('sync_runs_source_idx').on(t.sourceId, t.queuedAt),
    index('sync_runs_status_idx').on(t.status),
    // One run at a time per source: several instances can never start the same sync twice.
    uniqueIndex('sync_runs_one_active_key')
      .on(t.sourceId)
      .where(sql`${t.status} in ('queued', 'running', 'interrupted')`),
  ],
);

/** A run's own log, read by users in the console; separate from the process log. */
export const syncRunEvents = pgTable(
  'sync_run_events',
  {
    id: bigId(),
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    at: at('at').notNull().defaultNow(),
    level: text('level').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
  },
  (t) => [index('sync_run_events_run_idx').on(t.runId, t.id)],
);

/** Problems with single records (a bad row, an invalid UPN), with where they are and the fix. */
export const recordProblems = pgTable(
  'record_problems',
  {
    id: bigId(),
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    location: text('location').notNull(),
    row: integer('row'),
    field: text('field'),
    code: text('code').notNull(),
    message: text('message').notNull(),
  },
  (t) => [index('record_problems_run_idx').on(t.runId)],
);

/**
 * The ids a full pull has seen so far, a row per page, so that a resumed pull still knows them.
 * A complete full pull uses them to mark leavers and retracted results. Those of a source's last
 * landed full pull stay until the next one lands, each page of results with its digest, so that
 * the next full pull can tell a page that is as it was (`keptPagesOf`).
 */
export const syncRunSeen = pgTable(
  'sync_run_seen',
  {
    id: bigId(),
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    entity: text('entity').notNull(),
    externalIds: text('external_ids').array().notNull(),
    /** A page of results' digest of its ids and fingerprints (`pageDigest`); else null. */
    digest: text('digest'),
  },
  (t) => [index('sync_run_seen_run_idx').on(t.runId, t.entity)],
);

/** The bytes of every page or file a run read, kept for a while so that it can be replayed. */
export const rawPayloads = pgTable(
  'raw_payloads',
  {
    id: bigId(),
    runId: uuid('run_id')
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    label: text('label').notNull(),
    contentType: text('content_type').notNull(),
    /** gzip of the body as received. */
    body: bytea('body').notNull(),
    byteSize: integer('byte_size').notNull(),
    sha256: text('sha256').notNull(),
    receivedAt: at('received_at').notNull().defaultNow(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('raw_payloads_run_seq_key').on(t.runId, t.seq),
    index('raw_payloads_expires_idx').on(t.expiresAt),
  ],
);

// ---------------------------------------------------------------------------------------------
// Pupils and staging

export const senStatus = pgEnum('sen_status', ['N', 'K', 'E']);

/** Only what the trust needs (policy 8.1): no contacts, photos or medical data. */
export const pupils = pgTable(
  'pupils',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    upn: text('upn'),
    formerUpn: text('former_upn'),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    dateOfBirth: date('date_of_birth'),
    sex: text('sex'),
    /** N1, N2, R, Y1..Y14, or X for a pupil not following an NC year. */
    ncYear: text('nc_year'),
    /** R = 0, Y1 = 1 ... N1 = -2; null for X. Mapping rules' year ranges compare against it. */
    ncYearOrdinal: smallint('nc_year_ordinal'),
    senStatus: senStatus('sen_status'),
    disadvantaged: boolean('disadvantaged'),
    eal: boolean('eal'),
    onRollFrom: date('on_roll_from'),
    onRollTo: date('on_roll_to'),
    /** Set when a complete full pull no longer lists the pupil. */
    leftAt: at('left_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('pupils_school_upn_key').on(t.schoolId, t.upn).where(sql`${t.upn} is not null`),
    index('pupils_school_idx').on(t.schoolId),
    index('pupils_name_idx').on(t.schoolId, sql`lower(${t.lastName})`),
    // What a page of pupils new to a source is looked up by: a UPN the school once gave the
    // pupil, and a birthday shared with a pupil the school may already hold (with or without a
    // UPN: the index answers "born that day and without a UPN" too).
    index('pupils_former_upn_idx')
      .on(t.schoolId, t.formerUpn)
      .where(sql`${t.formerUpn} is not null`),
    index('pupils_birth_idx').on(t.schoolId, t.dateOfBirth, t.upn),
  ],
);

/** A pupil as one source knows them: the link between the source's id and our pupil. */
export const sourcePupils = pgTable(
  'source_pupils',
  {
    id: bigId(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    externalId: text('external_id').notNull(),
    pupilId: uuid('pupil_id').references(() => pupils.id),
    upn: text('upn'),
    /** The record as translated by the connector, for replay and for the pupil page. */
    record: jsonb('record').$type<Record<string, unknown>>().notNull(),
    fingerprint: text('fingerprint').notNull(),
    firstSeenAt: stamp('first_seen_at'),
    lastChangedRunId: uuid('last_changed_run_id'),
    /** Set when a complete full pull of the source no longer lists the pupil. */
    removedAt: at('removed_at'),
  },
  (t) => [
    uniqueIndex('source_pupils_key').on(t.sourceId, t.externalId),
    index('source_pupils_pupil_idx').on(t.pupilId),
  ],
);

/** A person must accept a match made on name and date of birth; the system only suggests it. */
export const pupilMatchSuggestions = pgTable('pupil_match_suggestions', {
  id: bigId(),
  sourcePupilId: bigint('source_pupil_id', { mode: 'number' })
    .notNull()
    .references(() => sourcePupils.id, { onDelete: 'cascade' }),
  pupilId: uuid('pupil_id')
    .notNull()
    .references(() => pupils.id, { onDelete: 'cascade' }),
  reason: text('reason').notNull(),
  status: text('status').notNull().default('open'),
  decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
  decidedAt: at('decided_at'),
  createdAt: createdAt(),
});

/** An aspect, assessment or column of a source ("Y5 Maths Attainment", "KS2 Reading TA"). */
export const aspects = pgTable(
  'aspects',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    gradeSet: text('grade_set'),
    firstSeenAt: stamp('first_seen_at'),
    lastSeenAt: stamp('last_seen_at'),
  },
  (t) => [uniqueIndex('aspects_source_key').on(t.sourceId, t.key)],
);

/**
 * Staging is written only by the sync engine, a page at a time, with ids it has just looked up.
 * It keeps one foreign key, to its source; the school, aspect and collection are checked where
 * they are looked up rather than once per staged row, which would cost more than writing it.
 * Pages are left half empty (fillfactor 50, migration 0003) so that landing a run, which marks
 * every row it staged as no longer pending, rewrites each row in place without touching the
 * indexes. Rows are found by their source and id (the key), by school, or by aspect and value.
 */
export const stagedResults = pgTable(
  'staged_results',
  {
    id: bigId(),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => sources.id),
    schoolId: uuid('school_id').notNull(),
    externalId: text('external_id').notNull(),
    pupilExternalId: text('pupil_external_id').notNull(),
    aspectId: integer('aspect_id').notNull(),
    rawValue: text('raw_value').notNull(),
    assessedOn: date('assessed_on'),
    periodLabel: text('period_label'),
    sourceModifiedAt: at('source_modified_at'),
    fingerprint: text('fingerprint').notNull(),
    /** Worked out from the label and date (school year rules); null when it cannot be placed. */
    collectionId: integer('collection_id'),
    /**
     * Written by a run that has not landed yet. Landing skips pending rows and keeps what they
     * landed before, so a failed run lands nothing; the source's next good run adopts them.
     */
    pending: boolean('pending').notNull().default(true),
    firstSeenAt: stamp('first_seen_at'),
    lastChangedAt: stamp('last_changed_at'),
    lastChangedRunId: uuid('last_changed_run_id'),
    retractedAt: at('retracted_at'),
  },
  (t) => [
    uniqueIndex('staged_results_key').on(t.sourceId, t.externalId),
    index('staged_results_aspect_idx').on(t.aspectId, t.rawValue),
    index('staged_results_school_idx').on(t.schoolId, t.collectionId),
  ],
);

// ---------------------------------------------------------------------------------------------
// Mapping: aspects to subjects, local values to NX points

export const decisionStatus = pgEnum('decision_status', [
  'proposed',
  'confirmed',
  'rejected',
  'superseded',
]);

/** Versions of an aspect's subject mapping: a new row per change, the history kept. */
export const subjectMappings = pgTable(
  'subject_mappings',
  {
    id: bigId(),
    aspectId: integer('aspect_id')
      .notNull()
      .references(() => aspects.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** Null with `ignored` set: the aspect is not a trust subject ("Writing Effort"). */
    subjectId: integer('subject_id').references(() => subjects.id),
    ignored: boolean('ignored').notNull().default(false),
    status: decisionStatus('status').notNull(),
    proposedBy: uuid('proposed_by').references(() => users.id, { onDelete: 'set null' }),
    /** Why it was proposed: a person's note, or the system's reason for its suggestion. */
    proposalReason: text('proposal_reason').notNull(),
    proposedAt: stamp('proposed_at'),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: at('decided_at'),
    decisionReason: text('decision_reason'),
  },
  (t) => [
    uniqueIndex('subject_mappings_version_key').on(t.aspectId, t.version),
    uniqueIndex('subject_mappings_confirmed_key')
      .on(t.aspectId)
      .where(sql`${t.status} = 'confirmed'`),
  ],
);

export const ruleMatch = pgEnum('rule_match', ['value', 'range', 'alias']);

/**
 * Grade mapping rules, one row per version. `ruleKey` names the rule across its versions. A rule
 * is trust-wide (the library) when `schoolId` is null; narrower scope and a year range make it more
 * specific, and the most specific confirmed rule wins.
 */
export const gradeRules = pgTable(
  'grade_rules',
  {
    id: bigId(),
    ruleKey: uuid('rule_key').notNull(),
    version: integer('version').notNull(),
    schoolId: uuid('school_id').references(() => schools.id),
    subjectId: integer('subject_id').references(() => subjects.id),
    aspectId: integer('aspect_id').references(() => aspects.id),
    gradeSet: text('grade_set'),
    /** Ordinals of NC years (R = 0, Y1 = 1...), inclusive; null for any year. */
    yearFrom: smallint('year_from'),
    yearTo: smallint('year_to'),
    match: ruleMatch('match').notNull(),
    /** The local value, compared after trimming and case folding ('value' and 'alias'). */
    value: text('value'),
    rangeMin: numeric('range_min'),
    rangeMax: numeric('range_max'),
    /** For an alias: the canonical value this spelling stands for ("Exp" for "EXS"). */
    aliasOf: text('alias_of'),
    nxPointId: uuid('nx_point_id').references(() => nxPoints.id),
    status: decisionStatus('status').notNull(),
    suggestedBySystem: boolean('suggested_by_system').notNull().default(false),
    proposedBy: uuid('proposed_by').references(() => users.id, { onDelete: 'set null' }),
    proposalReason: text('proposal_reason').notNull(),
    proposedAt: stamp('proposed_at'),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: at('decided_at'),
    decisionReason: text('decision_reason'),
  },
  (t) => [
    uniqueIndex('grade_rules_version_key').on(t.ruleKey, t.version),
    uniqueIndex('grade_rules_confirmed_key').on(t.ruleKey).where(sql`${t.status} = 'confirmed'`),
    index('grade_rules_scope_idx').on(t.schoolId, t.subjectId, t.status),
  ],
);

// ---------------------------------------------------------------------------------------------
// Landing and reporting

/**
 * One NX point per pupil, subject and collection, with where it came from.
 *
 * Nothing it names is a foreign key: a key is checked for every row written, and landing writes
 * a trust's points by the hundred thousand, where the checks cost several times the write
 * itself. What they guarded is kept on the rare path instead: a school, subject, NX point,
 * source, pupil or collection that has points cannot be deleted (the `*_keep_points` triggers of
 * migrations 0008 and 0010), and every point is derived from a staged result of its source, for
 * a pupil of its school, through a confirmed mapping and rule.
 */
export const assessments = pgTable(
  'assessments',
  {
    id: bigId(),
    pupilId: uuid('pupil_id').notNull(),
    schoolId: uuid('school_id').notNull(),
    subjectId: integer('subject_id').notNull(),
    collectionId: integer('collection_id').notNull(),
    nxPointId: uuid('nx_point_id').notNull(),
    sourceId: uuid('source_id'),
    runId: uuid('run_id'),
    stagedResultId: bigint('staged_result_id', { mode: 'number' }),
    rawValue: text('raw_value').notNull(),
    gradeRuleId: bigint('grade_rule_id', { mode: 'number' }),
    assessedOn: date('assessed_on'),
    landedAt: at('landed_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('assessments_key').on(t.pupilId, t.subjectId, t.collectionId),
    index('assessments_report_idx').on(t.collectionId, t.schoolId, t.subjectId),
    index('assessments_staged_idx').on(t.stagedResultId),
  ],
);

/** Two sources gave a result for one pupil, subject and collection; listed for review. */
export const assessmentConflicts = pgTable(
  'assessment_conflicts',
  {
    id: bigId(),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    subjectId: integer('subject_id')
      .notNull()
      .references(() => subjects.id),
    collectionId: integer('collection_id')
      .notNull()
      .references(() => collections.id),
    keptStagedResultId: bigint('kept_staged_result_id', { mode: 'number' }).notNull(),
    otherStagedResultId: bigint('other_staged_result_id', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    detectedAt: stamp('detected_at'),
    /** When a person marked it reviewed; a later change to either value opens it again. */
    resolvedAt: at('resolved_at'),
    resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    resolvedByLabel: text('resolved_by_label'),
    resolutionNote: text('resolution_note'),
  },
  (t) => [index('assessment_conflicts_pupil_idx').on(t.pupilId)],
);

/** Most likely outcomes and phonics projections, entered by schools (policy 5.1.4, 5.1.5). */
export const targets = pgTable(
  'targets',
  {
    id: bigId(),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    academicYearId: integer('academic_year_id')
      .notNull()
      .references(() => academicYears.id),
    /** A subject's most likely outcome, or null for the Y1 phonics projection. */
    subjectId: integer('subject_id').references(() => subjects.id),
    kind: text('kind').notNull(),
    nxPointId: uuid('nx_point_id').references(() => nxPoints.id),
    /** For the phonics projection: 'expected_to_pass' or 'not_expected_to_pass'. */
    projection: text('projection'),
    enteredBy: uuid('entered_by').references(() => users.id, { onDelete: 'set null' }),
    enteredAt: stamp('entered_at'),
  },
  (t) => [
    unique('targets_key').on(t.pupilId, t.academicYearId, t.kind, t.subjectId).nullsNotDistinct(),
  ],
);

/**
 * The school year a school's points were last derived in. A rule decided in the same school year
 * re-derives only the pupils, subjects and collections whose results it changes; after the year
 * turns, every year group has moved on, so the school is derived whole.
 */
export const schoolDerivations = pgTable('school_derivations', {
  schoolId: uuid('school_id')
    .primaryKey()
    .references(() => schools.id, { onDelete: 'cascade' }),
  startYear: smallint('start_year').notNull(),
  derivedAt: stamp('derived_at'),
});

// ---------------------------------------------------------------------------------------------
// Report summaries

/**
 * A number that changes whenever anything a school's report counts changes: its pupils, its
 * landed points, the scale, the subjects or the collections. Kept by triggers (migration 0001),
 * so no write path can forget it.
 */
export const reportVersions = pgTable('report_versions', {
  schoolId: uuid('school_id')
    .primaryKey()
    .references(() => schools.id, { onDelete: 'cascade' }),
  version: bigint('version', { mode: 'number' }).notNull(),
  /**
   * Moves whenever what reconciliation reads changes beyond the report's inputs: staged results,
   * source links, aspects and their subject mappings, proposed rules, sources and their runs'
   * outcomes (migration 0004). Drawn from the same sequence as `version`, so the greater of the
   * two moves whenever either does.
   */
  reconcileVersion: bigint('reconcile_version', { mode: 'number' }).notNull().default(0),
});

/**
 * The counts a report reads for one school and collection, as of one school year, kept while the
 * school's report version stays the same. A report recounts only the schools that changed.
 */
export const reportSummaries = pgTable(
  'report_summaries',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id, { onDelete: 'cascade' }),
    /** Which read: 'cells', 'left-out', 'movement'. */
    kind: text('kind').notNull(),
    collectionId: integer('collection_id')
      .notNull()
      .references(() => collections.id, { onDelete: 'cascade' }),
    /** What else the read depends on, such as the collection it measures movement from. */
    variant: text('variant').notNull().default(''),
    /** Year groups are counted as of the school year starting then. */
    asOfYear: smallint('as_of_year').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    rows: jsonb('rows').$type<Record<string, unknown>[]>().notNull(),
    countedAt: stamp('counted_at'),
  },
  (t) => [primaryKey({ columns: [t.schoolId, t.kind, t.collectionId, t.variant, t.asOfYear] })],
);

/**
 * What reconciliation works out for one school (missing pupils, unmapped values, results with no
 * pupil, each subject's progress), kept while neither of the school's versions moves. `scope`
 * names the rest of the read, such as the collection and subject.
 */
export const reconcileSummaries = pgTable(
  'reconcile_summaries',
  {
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    scope: text('scope').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    rows: jsonb('rows').$type<unknown>().notNull(),
    countedAt: stamp('counted_at'),
  },
  (t) => [primaryKey({ columns: [t.schoolId, t.kind, t.scope] })],
);
