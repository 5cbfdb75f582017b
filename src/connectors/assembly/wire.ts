import { z } from 'zod';

/**
 * Assembly's JSON, as far as we read it: snake_case on the wire (research 4; the Java SDK's
 * camelCase is its own). Objects stay loose, because a field we do not read is no reason to
 * refuse a record, and ids may come as numbers or numeric strings.
 */

const id = z.union([z.int(), z.string().trim().min(1)]).transform(String);
const text = z.string().nullish();
const flag = z.boolean().nullish();

export const demographicsSchema = z.looseObject({
  gender: text,
  is_eal: flag,
  is_fsm: flag,
  is_pp: flag,
  sen_category: text,
});

export const studentSchema = z.looseObject({
  id,
  first_name: text,
  legal_first_name: text,
  last_name: text,
  legal_last_name: text,
  dob: text,
  year_code: z.union([z.string(), z.int()]).nullish(),
  upn: text,
  former_upn: text,
  start_date: text,
  end_date: text,
  demographics: demographicsSchema.nullish(),
});

export type WireStudent = z.infer<typeof studentSchema>;

export const resultSchema = z.looseObject({
  id,
  student_id: id,
  assessment_id: id,
  subject_id: id.nullish(),
  assessment_point_rank: id.nullish(),
  grade_id: id.nullish(),
  result_date: text,
  updated_at: text,
});

export type WireResult = z.infer<typeof resultSchema>;

export const facetSchema = z.looseObject({ id, name: z.string() });
export const assessmentSchema = z.looseObject({ id, name: z.string(), family_name: text });
export const assessmentPointSchema = z.looseObject({ rank: id, name: z.string() });
export const subjectSchema = z.looseObject({ id, name: z.string() });

export const gradeSetSchema = z.looseObject({
  id: id.nullish(),
  name: text,
  grades: z.array(z.looseObject({ id, name: z.string() })).default([]),
});

export type WireGradeSet = z.infer<typeof gradeSetSchema>;

/** The token endpoint's answer; the PHP SDK's README shows school_id and scopes beside it. */
export const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: z.number().nullish(),
  scopes: z.array(z.string()).nullish(),
  school_id: id.nullish(),
});

export type WireToken = z.infer<typeof tokenSchema>;

export const schoolSchema = z.looseObject({
  id,
  name: z.string(),
  urn: z.union([z.string(), z.int()]).transform(String).nullish(),
});

/** A single object may come bare or, as lists do, inside `data`. */
export function singleSchema<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>> {
  const wrapped = z.looseObject({ data: schema }).transform((envelope) => envelope.data);
  return z.union([wrapped, schema]) as z.ZodType<z.output<T>>;
}
