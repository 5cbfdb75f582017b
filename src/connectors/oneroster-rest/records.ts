import { z } from 'zod';

/**
 * The OneRoster 1.2 REST records we read (research A.4), checked one at a time so that one bad
 * record is a problem, not a failed page. Only identity is required here; optional fields stay
 * `unknown` and are read by the translation, which reports what it cannot use.
 */

const guidRef = z.object({ sourcedId: z.string().min(1) });

const base = {
  sourcedId: z.string().min(1),
  /** `active` or `tobedeleted`; a legacy `inactive` means `tobedeleted` (research A.4). */
  status: z.string().optional(),
  /** ISO 8601 in UTC. */
  dateLastModified: z.string().optional(),
};

export const studentRecord = z.object({
  ...base,
  givenName: z.unknown().optional(),
  familyName: z.unknown().optional(),
  identifier: z.unknown().optional(),
  userIds: z.unknown().optional(),
  grades: z.unknown().optional(),
  roles: z.unknown().optional(),
  primaryOrg: z.unknown().optional(),
  metadata: z.unknown().optional(),
});

export type StudentRecord = z.infer<typeof studentRecord>;

export const demographicsRecord = z.object({
  ...base,
  birthDate: z.unknown().optional(),
  sex: z.unknown().optional(),
  metadata: z.unknown().optional(),
});

export type DemographicsRecord = z.infer<typeof demographicsRecord>;

/** Sessions, categories and score scales: all we need is the title. */
export const titledRecord = z.object({ ...base, title: z.string().optional() });

export type TitledRecord = z.infer<typeof titledRecord>;

export const lineItemRecord = z.object({
  ...base,
  title: z.string().optional(),
  school: guidRef.nullish(),
  category: guidRef.nullish(),
  academicSession: guidRef.nullish(),
  /** The 1.1 name for the session; 1.2 keeps it as an optional field. */
  gradingPeriod: guidRef.nullish(),
  scoreScale: guidRef.nullish(),
});

export type LineItemRecord = z.infer<typeof lineItemRecord>;

// The Assessment Results Profile shapes were not verified (research A.4): only the fields its
// results clearly share with gradebook results are read, and every one but the id is optional.
export const assessmentLineItemRecord = z.object({
  ...base,
  title: z.string().optional(),
  school: guidRef.nullish(),
  academicSession: guidRef.nullish(),
  scoreScale: guidRef.nullish(),
});

export type AssessmentLineItemRecord = z.infer<typeof assessmentLineItemRecord>;

export const resultRecord = z.object({
  ...base,
  lineItem: guidRef.optional(),
  student: guidRef.optional(),
  scoreStatus: z.string().nullish(),
  score: z.union([z.number(), z.string()]).nullish(),
  textScore: z.string().nullish(),
  scoreDate: z.string().nullish(),
});

export type ResultRecord = z.infer<typeof resultRecord>;

export const assessmentResultRecord = resultRecord.omit({ lineItem: true }).extend({
  assessmentLineItem: guidRef.optional(),
});

export type AssessmentResultRecord = z.infer<typeof assessmentResultRecord>;

/** True for `tobedeleted`, and for the legacy `inactive` that 1.1 replaced with it. */
export function isDeleted(record: { status?: string | undefined }): boolean {
  const status = record.status?.toLowerCase();
  return status === 'tobedeleted' || status === 'inactive';
}

/** The record's own change time, as ISO, when it gave a readable one. */
export function modifiedAt(record: { dateLastModified?: string | undefined }): string | null {
  const time = Date.parse(record.dateLastModified ?? '');
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** True when the record changed after `since` (or says nothing about when it changed). */
export function changedSince(
  record: { dateLastModified?: string | undefined },
  since: string | null,
): boolean {
  if (since === null) return true;
  const time = Date.parse(record.dateLastModified ?? '');
  return Number.isNaN(time) || time > Date.parse(since);
}

/** The first issue of a failed parse as `field: message`, for a problem. */
export function firstIssue(error: z.ZodError): { field: string | null; message: string } {
  const issue = error.issues[0];
  const field = issue?.path.length ? issue.path.map(String).join('.') : null;
  return { field, message: issue?.message ?? 'not a record' };
}
