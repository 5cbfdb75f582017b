import { z } from 'zod';

/**
 * What a OneRoster 1.2 REST source can be told. Everything the research could not verify for
 * English providers (token URL, client authentication, where UPN, SEN, pupil premium and EAL
 * live, how year groups are written, whether `filter`, `fields` and `sort` are honoured) is a
 * setting with a default, not a guess in the code.
 */

/** The official 1.2 base paths (research A.1); a provider may mount them elsewhere. */
export const DEFAULT_ROSTERING_PATH = '/ims/oneroster/rostering/v1p2';
export const DEFAULT_GRADEBOOK_PATH = '/ims/oneroster/gradebook/v1p2';

/** Scope names are this prefix and a suffix such as `roster-core.readonly` (research A.1). */
export const DEFAULT_SCOPE_PREFIX = 'https://purl.imsglobal.org/spec/or/v1p2/scope/';

// Where a pupil fact is read from: a `userIds` entry by its type, the user's `identifier`, the
// first of its `grades`, or a key (dotted for nested objects) of the user's or the
// demographics record's `metadata` extension. OneRoster has no English fields for these.
const FIELD_SOURCE = /^(userIds:.+|identifier|grades|metadata\..+|demographics\.metadata\..+)$/;

const fieldSources = z
  .array(
    z
      .string()
      .trim()
      .regex(
        FIELD_SOURCE,
        'write userIds:TYPE, identifier, grades, metadata.KEY or demographics.metadata.KEY',
      ),
  )
  .max(10);

export const pupilFieldsSchema = z.object({
  upn: fieldSources.default(['userIds:UPN', 'identifier']),
  formerUpn: fieldSources.default(['userIds:FormerUPN', 'metadata.formerUpn']),
  ncYear: fieldSources.default(['grades', 'metadata.ncYear']),
  senStatus: fieldSources.default(['metadata.senStatus', 'demographics.metadata.senStatus']),
  disadvantaged: fieldSources.default([
    'metadata.disadvantaged',
    'demographics.metadata.disadvantaged',
  ]),
  eal: fieldSources.default(['metadata.eal', 'demographics.metadata.eal']),
});

export type PupilFields = z.infer<typeof pupilFieldsSchema>;

const servicePath = z
  .string()
  .trim()
  .regex(/^\/[^?#]*$/, 'a path starts with / and has no query')
  .transform((path) => path.replace(/\/+$/, ''));

const httpSchema = z.object({
  timeouts: z
    .object({
      connectMs: z.number().int().min(100).max(120_000).optional(),
      headersMs: z.number().int().min(100).max(600_000).optional(),
      bodyMs: z.number().int().min(100).max(600_000).optional(),
    })
    .optional(),
  retry: z
    .object({
      attempts: z.number().int().min(1).max(10).optional(),
      baseDelayMs: z.number().int().min(0).max(60_000).optional(),
      maxDelayMs: z.number().int().min(0).max(600_000).optional(),
    })
    .optional(),
  deadlineMs: z.number().int().min(1000).max(1_800_000).optional(),
  maxConcurrent: z.number().int().min(1).max(16).optional(),
});

export const oneRosterConfigSchema = z.object({
  /** How the school knows the system ("Arbor OneRoster"), used in every message. */
  systemName: z.string().trim().min(1).max(60).default('OneRoster'),
  /** The provider's origin, e.g. `https://oneroster.example-mis.co.uk`. */
  baseUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  /** The OAuth 2 token endpoint: each provider publishes its own (research A.1). */
  tokenUrl: z.url({ protocol: /^https?$/ }),
  clientId: z.string().trim().min(1).max(500),
  /** The school's org `sourcedId` in OneRoster. */
  schoolSourcedId: z.string().trim().min(1).max(255),

  rosteringPath: servicePath.default(DEFAULT_ROSTERING_PATH),
  gradebookPath: servicePath.default(DEFAULT_GRADEBOOK_PATH),
  /** The Assessment Results Profile sits under the gradebook path (research A.1). */
  assessmentPath: servicePath.default(DEFAULT_GRADEBOOK_PATH),
  /**
   * The student listing, relative to the rostering path. The school's own listing needs the
   * scope roster.readonly; `students` needs only roster-core.readonly but lists every school of
   * the provider, and is then narrowed to this school by the pupils' roles.
   */
  studentsPath: z
    .string()
    .trim()
    .regex(/^[^/?#][^?#]*$/, 'a path relative to the rostering path, without a leading /')
    .default('schools/{schoolSourcedId}/students'),

  /** Requested scopes; by default the ones the enabled reads need. Suffixes or full names. */
  scopes: z.array(z.string().trim().min(1).max(200)).max(20).optional(),
  scopePrefix: z.string().max(200).default(DEFAULT_SCOPE_PREFIX),
  /** RFC 6749 lets a server take the client credentials as Basic auth or in the form. */
  clientAuth: z.enum(['basic', 'body']).default('basic'),

  /** OneRoster's `limit`; the spec's default is 100 and a server may cap it lower. */
  pageSize: z.number().int().min(1).max(5000).default(100),
  /** Send `fields` so the server leaves out contacts and other data we must not hold. */
  selectFields: z.boolean().default(true),
  /** Send `sort=sourcedId` so offset pages keep their order between requests. */
  sortBySourcedId: z.boolean().default(true),
  /** Ask for deltas with `filter=dateLastModified>…`; off reads all and compares dates here. */
  deltaFilter: z.boolean().default(true),
  /** Deltas start this long before the last pull began, for clock skew and slow commits. */
  deltaOverlapSeconds: z.number().int().min(0).max(86_400).default(120),

  /** Read dates of birth and sex from `demographics` (scope roster-demographics.readonly). */
  demographics: z.boolean().default(true),
  pupilFields: pupilFieldsSchema.default(pupilFieldsSchema.parse({})),
  /** `as-written` passes `grades` on ("Y4", "4", "R"); `us-grade` reads CEDS US grades. */
  gradeVocabulary: z.enum(['as-written', 'us-grade']).default('as-written'),

  /** An aspect is a gradebook category ("Reading Attainment") or each line item itself. */
  aspectFrom: z.enum(['category', 'lineItem']).default('category'),
  /** Category sourcedIds or titles to read results of; empty reads every category. */
  categories: z.array(z.string().trim().min(1).max(200)).max(100).default([]),
  /** Assessment Results Profile: `auto` reads it where the provider offers it. */
  assessmentResults: z.enum(['auto', 'on', 'off']).default('auto'),

  /** A PEM certificate to trust, for a school-hosted server signed by its own authority. */
  caCertificate: z.string().max(20_000).optional(),
  http: httpSchema.default({}),
});

export type OneRosterConfig = z.infer<typeof oneRosterConfigSchema>;

export const oneRosterSecretsSchema = z.strictObject({
  clientSecret: z.string().min(1).max(2000),
});

export type OneRosterSecrets = z.infer<typeof oneRosterSecretsSchema>;
