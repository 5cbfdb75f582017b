import type { z } from 'zod';
import type { RecordProblem } from '../contract.ts';

/** A record we could not read, at an API path; Assembly has no rows to number. */
export function problem(
  location: string,
  field: string | null,
  code: string,
  message: string,
): RecordProblem {
  return { location, row: null, field, code, message };
}

/**
 * A record that failed its schema, named by its id when it has one. zod's messages name the
 * expected type, never the value, so no pupil data reaches the problem.
 */
export function issueProblem(
  location: string,
  record: unknown,
  error: z.ZodError,
  what: string,
): RecordProblem {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  const id = idOf(record);
  const subject = id ? `${what} ${id}` : `A ${what} without an id`;
  const where = field ? ` in ${field}` : '';
  return problem(
    location,
    field,
    'record_unreadable',
    `${subject} could not be read${where}: ${issue?.message ?? 'invalid'}. It was skipped; ` +
      'report this to the Next Steps team if it keeps happening.',
  );
}

function idOf(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return null;
  const id = (record as { id?: unknown }).id;
  return typeof id === 'number' || (typeof id === 'string' && /^\w{1,40}$/.test(id))
    ? String(id)
    : null;
}
