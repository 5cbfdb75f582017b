import { z } from 'zod';

/**
 * Zip limits. A OneRoster package holds at most 23 CSV files (1.2 lists 21 besides the
 * manifest, plus the assessment pair), and a large secondary's results.csv is a few MB, so
 * these leave room for a multi-school export while refusing a zip bomb.
 */
export const DEFAULT_LIMITS = {
  zipBytes: 200 * 1024 * 1024,
  entries: 200,
  entryBytes: 512 * 1024 * 1024,
  totalBytes: 2 * 1024 * 1024 * 1024,
} as const;

export const MAX_PAGE_SIZE = 500;

const columnName = z.string().trim().min(1).max(100);

const limitsSchema = z.object({
  /** The uploaded zip itself. */
  zipBytes: z.number().int().positive().default(DEFAULT_LIMITS.zipBytes),
  entries: z.number().int().positive().default(DEFAULT_LIMITS.entries),
  /** One file inside the zip once unpacked, as declared and as actually inflated. */
  entryBytes: z.number().int().positive().default(DEFAULT_LIMITS.entryBytes),
  /** All files inside the zip once unpacked. */
  totalBytes: z.number().int().positive().default(DEFAULT_LIMITS.totalBytes),
});

/**
 * England has no agreed OneRoster profile (research A.4: "no national value for NC years"), so
 * where a UPN, SEN status or disadvantage flag lives is the exporter's choice: each is a setting,
 * with the defaults our own fixtures and the commonest exporters use.
 */
const pupilFieldsSchema = z.object({
  /** `userIds` reads `{UPN:...}` from the userIds list; `identifier` reads that column. */
  upnFrom: z.enum(['userIds', 'identifier']).default('userIds'),
  /** The userIds type that carries the UPN, compared without regard to case. */
  upnType: z.string().trim().min(1).max(40).default('UPN'),
  formerUpnType: z.string().trim().min(1).max(40).default('FormerUPN'),
  /** Extension columns of users.csv; null leaves the field blank. */
  senStatusColumn: columnName.nullable().default('metadata.senStatus'),
  disadvantagedColumn: columnName.nullable().default('metadata.disadvantaged'),
  ealColumn: columnName.nullable().default('metadata.eal'),
});

export const oneRosterCsvConfigSchema = z.object({
  /**
   * What a result's aspect is. `lineItem` is OneRoster's own column (one per class and term in
   * most exports); `category` groups line items under their categories.csv row; `title` groups
   * line items that share a title, for exporters that repeat "Reading" each term.
   */
  aspectFrom: z.enum(['lineItem', 'category', 'title']).default('lineItem'),
  /**
   * `exact` holds each file to the column order of research A.7, as 1EdTech conformance does;
   * `names` only asks that every column is there, for exporters that reorder them.
   */
  headerOrder: z.enum(['exact', 'names']).default('exact'),
  pupilFields: pupilFieldsSchema.prefault({}),
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
  limits: limitsSchema.prefault({}),
});

export type OneRosterCsvConfig = z.infer<typeof oneRosterCsvConfigSchema>;
export type PupilFields = OneRosterCsvConfig['pupilFields'];
export type ZipLimits = OneRosterCsvConfig['limits'];

/** An uploaded file has nothing secret to keep. */
export const oneRosterCsvSecretsSchema = z.strictObject({});

export type OneRosterCsvSecrets = z.infer<typeof oneRosterCsvSecretsSchema>;
