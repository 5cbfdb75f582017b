import type { FailureCategory } from '../connectors/contract.ts';

const CATEGORIES = new Set<FailureCategory>([
  'auth',
  'config',
  'rate_limited',
  'transient',
  'bad_data',
]);

/** Any error a connector raises that says what went wrong with the source and what to do. */
export interface SourceFailure {
  category: FailureCategory;
  code: string;
  message: string;
}

export function asSourceFailure(error: unknown): SourceFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  const { category, code, message } = error as Record<string, unknown>;
  if (!CATEGORIES.has(category as FailureCategory)) return null;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return { category: category as FailureCategory, code, message };
}

/** The run stopped because its worker is shutting down or lost its lease: it will resume. */
export class RunInterrupted extends Error {
  override name = 'RunInterrupted';
}

/** What a category means for the person reading sync health. */
export const WHAT_TO_DO: Record<FailureCategory | 'internal', string> = {
  auth: 'The school system refused our credentials: ask the school to renew access.',
  config: "The source's settings need fixing: check them and run the source again.",
  rate_limited: 'The school system asked us to slow down: the next scheduled run will retry.',
  transient: 'The school system failed for a while: the next scheduled run will retry.',
  bad_data: 'The school system sent data we could not read: the run log says where.',
  internal: 'Something went wrong on our side: tell the trust admin, quoting the run id.',
};
