import { z } from 'zod';
import { isIsoDate } from '../../domain/iso-date.ts';

/**
 * What an Arbor source can be told. Arbor gives every school its own host (research 2, "Host");
 * everything the research could not confirm is a setting here, with the default we believe and
 * the source of that belief beside it.
 */

const ARBOR_DOMAIN = 'uk.arbor.sc';

const resourcePath = z
  .string()
  .trim()
  .regex(/^[a-z0-9_-]{1,100}$/, 'Write a REST resource path such as "students".');

const propertyName = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, 'Write an Arbor property name such as "leavingDate".');

const host = z
  .string()
  .trim()
  .min(1)
  .max(300)
  .refine((value) => arborBaseUrl(value) !== null, {
    message: "Write the school's Arbor address, such as yourschool.uk.arbor.sc.",
  });

/** Paging facts the research left open: each default is what it, or the SDK, says. */
const pagingSchema = z.object({
  /** The research says `page-number`; the PHP SDK's Query class sends `page` (research 2). */
  pageNumberParam: z.enum(['page-number', 'page']).default('page-number'),
  /** Whether Arbor counts pages from 1 or 0 is not in any public source. */
  firstPageNumber: z.union([z.literal(0), z.literal(1)]).default(1),
  /** Page-number paging is only stable in a fixed order; null sends no `order-property`. */
  orderProperty: propertyName.nullable().default('id'),
  /** The SDK reads a changelog in one answer; paging it the same way is our assumption. */
  pageChangelogs: z.boolean().default(true),
});

const joinSchema = z.object({
  /** Students per `filters.student.in` query, which keeps each URL a few kilobytes long. */
  chunkSize: z.int().min(1).max(500).default(100),
  /** How an `in` filter separates its values is not documented; the SDK passes one string. */
  separator: z.string().min(1).max(3).default(','),
});

// Paths follow the SDK's rule (plural, camel case to dashes, lower case), which turns module
// resources such as UkDfe_UpnAssignment into "uk-dfe_upn-assignments". Only `students` and
// `student-progress-assessment-marks` are spelled out in the research.
const resourcesSchema = z.object({
  students: resourcePath.default('students'),
  people: resourcePath.default('people'),
  upnAssignments: resourcePath.default('uk-dfe_upn-assignments'),
  senAssignments: resourcePath.default('sen-status-assignments'),
  pupilPremium: resourcePath.default('uk-dfe_pupil-premium-recipients'),
  marks: resourcePath.default('student-progress-assessment-marks'),
});

/**
 * Student properties the research does not cover for REST. The defaults are the names a
 * third-party client copied from Arbor's GraphQL documentation (research 2, source A3); the
 * first language is looked for on the student, then on the person.
 */
const studentFieldsSchema = z.object({
  yearGroup: propertyName.default('displayAcademicLevel'),
  entryDate: propertyName.default('mostRecentEntryDate'),
  leavingDate: propertyName.default('leavingDate'),
  firstLanguage: propertyName.default('firstLanguage'),
});

const httpSchema = z.object({
  attempts: z.int().min(1).max(10).default(5),
  baseDelayMs: z.int().min(1).max(60_000).default(500),
  maxDelayMs: z.int().min(1).max(600_000).default(30_000),
  deadlineMs: z.int().min(1000).max(600_000).default(120_000),
  connectMs: z.int().min(100).max(120_000).default(10_000),
  headersMs: z.int().min(100).max(300_000).default(30_000),
  bodyMs: z.int().min(100).max(300_000).default(30_000),
  maxConcurrent: z.int().min(1).max(16).default(4),
});

export const arborConfigSchema = z.object({
  /** `yourschool.uk.arbor.sc`, a full https address, or just `yourschool`. */
  host,
  /** The username of the Next Steps Sync application in the Arbor Developers Portal. */
  username: z.string().trim().min(1).max(200),
  /** Only for Arbor's shared host, api.uk.arbor.sc, which names the school by this header. */
  applicationId: z.string().trim().min(1).max(200).optional(),
  /** Arbor's largest REST page is not published; GraphQL pages default to 3,000 rows. */
  pageSize: z.int().min(1).max(5000).default(500),
  paging: pagingSchema.prefault({}),
  join: joinSchema.prefault({}),
  resources: resourcesSchema.prefault({}),
  studentFields: studentFieldsSchema.prefault({}),
  /** DfE first-language codes for English and "believed to be English": not EAL. */
  englishLanguageCodes: z
    .array(z.string().trim().min(2).max(10))
    .min(1)
    .max(10)
    .default(['ENG', 'ENB']),
  /** The grade property that holds the local grade as the school writes it. */
  gradeValue: z.enum(['code', 'shortName', 'longName']).default('code'),
  /** Only marks assessed on or after this date, to keep years of history out of each pull. */
  resultsFrom: z
    .string()
    .refine(isIsoDate, { message: 'Write the date as YYYY-MM-DD.' })
    .optional(),
  /** Only marks of these Arbor assessments (ids), when the school uses many. */
  assessmentIds: z
    .array(z.string().regex(/^\d+$/, 'An Arbor assessment id is a number.'))
    .min(1)
    .max(200)
    .optional(),
  http: httpSchema.prefault({}),
});

export type ArborConfig = z.infer<typeof arborConfigSchema>;
export type ArborResources = ArborConfig['resources'];

export const arborSecretsSchema = z.strictObject({
  /** The application's password from the Arbor Developers Portal (HTTP Basic, research 2). */
  password: z.string().min(1).max(500),
});

export type ArborSecrets = z.infer<typeof arborSecretsSchema>;

/** The REST root for a host setting, or null when it cannot be an address. */
export function arborBaseUrl(setting: string): URL | null {
  const text = setting.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
    ? text
    : `https://${isBareSchoolName(text) ? `${text}.${ARBOR_DOMAIN}` : text}`;
  try {
    const url = new URL(withScheme);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (!url.hostname || url.username || url.password) return null;
    return new URL('/rest-v2/', url.origin);
  } catch {
    return null;
  }
}

/** The host as a data lead wrote it, for messages: the name without scheme or path. */
export function displayHost(setting: string): string {
  return arborBaseUrl(setting)?.host ?? setting.trim();
}

// "yourschool" alone is the subdomain a public Ruby client asks for (research 2, A3).
function isBareSchoolName(text: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,62}$/i.test(text) && text.toLowerCase() !== 'localhost';
}
