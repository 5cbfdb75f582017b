import { z } from 'zod';
import { isTimeZone } from './dates.ts';

// Wonde serves each school from one regional host, and a request to the wrong one answers with
// no data rather than an error (research 1.2). UK schools, the trust's, live on api.wonde.com.
export const DEFAULT_BASE_URL = 'https://api.wonde.com/v1.0/';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const baseUrlSchema = z
  .string()
  .trim()
  .url()
  .transform((text) => (text.endsWith('/') ? text : `${text}/`))
  .refine((text) => {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  }, 'The Wonde address must start with https:// (plain http is only for a local test server).');

const fieldNames = z.array(z.string().trim().min(1).max(60)).min(1).max(10);

// Nothing public names the fields of Wonde's assessment objects (research 1.9, 8.1), so every
// name below is a guess kept in one place, read in order, and changeable per source.
const assessmentSchema = z.object({
  aspectsPath: z.string().trim().min(1).default('assessment/aspects'),
  resultSetsPath: z.string().trim().min(1).default('assessment/resultsets'),
  resultsPath: z.string().trim().min(1).default('assessment/results'),
  /** The field holding the local grade; the first one present on a result is read. */
  valueFields: fieldNames.default(['result', 'value', 'grade']),
  /** The field holding the date the result was recorded for. */
  dateFields: fieldNames.default(['date', 'result_date', 'collection_date']),
  studentField: z.string().trim().min(1).default('student'),
  aspectField: z.string().trim().min(1).default('aspect'),
  resultSetField: z.string().trim().min(1).default('resultset'),
  aspectTypeFields: fieldNames.default(['type', 'result_type']),
  gradeSetFields: fieldNames.default(['grade_set', 'gradeset']),
  /** Aspects of these types hold no grade: comments are free text and may say anything. */
  skipAspectTypes: z.array(z.string().trim().min(1)).max(10).default(['comment']),
  /** Read only these aspects (Wonde ids); when absent, every aspect of a kept type is read. */
  aspectIds: z.array(z.string().trim().min(1)).max(500).optional(),
});

const httpSchema = z.object({
  attempts: z.int().min(1).max(10).default(5),
  baseDelayMs: z.int().min(1).max(60_000).default(500),
  maxDelayMs: z.int().min(1).max(600_000).default(30_000),
  connectMs: z.int().min(100).max(120_000).default(10_000),
  headersMs: z.int().min(100).max(300_000).default(30_000),
  bodyMs: z.int().min(100).max(300_000).default(30_000),
  /** For one page, retries and waits included. */
  deadlineMs: z.int().min(100).max(900_000).default(120_000),
});

/** What a Wonde source is told; only the school id must be given. */
export const wondeConfigSchema = z.object({
  /** The regional API base, `https://{domain}/v1.0/`, from the school's `region.domain`. */
  baseUrl: baseUrlSchema.default(DEFAULT_BASE_URL),
  /** Wonde's id for the school, such as A1930499544 (not the URN or the DfE number). */
  schoolId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{2,40}$/, 'A Wonde school id is letters and digits, like A1930499544.'),
  /** Wonde prefers Bearer; Basic with the token as user name is also accepted (research 1.3). */
  authScheme: z.enum(['bearer', 'basic']).default('bearer'),
  /** 200 is used by several integrators; the real maximum per endpoint is not published. */
  pageSize: z.int().min(1).max(1000).default(200),
  /** Offset pages are documented; `cursor=true` is seen in use but its shape is unverified. */
  paging: z.enum(['page', 'cursor']).default('page'),
  /** Which of Wonde's names to give: the ones the school uses day to day, or legal ones. */
  names: z.enum(['preferred', 'legal']).default('preferred'),
  /** A pause between pages; Wonde publishes no rate limit, and integrators leave 100 ms. */
  pageDelayMs: z.int().min(0).max(10_000).default(100),
  /** A missing permission stops the pull ('fail') or leaves the fields unknown ('warn'). */
  onMissingPermission: z.enum(['fail', 'warn']).default('fail'),
  delta: z
    .object({
      /** Deltas start this long before the last run: the accepted format and zone are unknown. */
      overlapMinutes: z
        .int()
        .min(0)
        .max(7 * 24 * 60)
        .default(60),
      /** The zone `updated_after` is written in. */
      timeZone: z
        .string()
        .trim()
        .refine(isTimeZone, 'Give a time zone such as UTC or Europe/London.')
        .default('UTC'),
    })
    .prefault({}),
  /** Deletion-log types that are pupils; only `student` is seen in public code. */
  deletionTypes: z.array(z.string().trim().min(1)).min(1).max(5).default(['student']),
  assessment: assessmentSchema.prefault({}),
  http: httpSchema.prefault({}),
});

export type WondeConfig = z.infer<typeof wondeConfigSchema>;
export type WondeAssessmentConfig = WondeConfig['assessment'];

/** One token per application, approved school by school; it does not expire (research 1.3). */
export const wondeSecretsSchema = z.strictObject({
  token: z.string().trim().min(8, 'Paste the whole Wonde API token.'),
});

export type WondeSecrets = z.infer<typeof wondeSecretsSchema>;
