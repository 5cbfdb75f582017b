import type { OneRosterConfig } from './config.ts';

/**
 * The OneRoster 1.2 reads this connector makes, each with the envelope key of its list, the
 * words a data lead would use for it, and the scopes any one of which lets the app read it
 * (the 1.2 OpenAPI, as listed in research A.1 and LSG's operation catalogue).
 */

export type Service = 'rostering' | 'gradebook' | 'assessment';

export type ScopeName =
  | 'roster-core.readonly'
  | 'roster.readonly'
  | 'roster-demographics.readonly'
  | 'gradebook-core.readonly'
  | 'gradebook.readonly'
  | 'assessment.readonly';

export interface Endpoint {
  service: Service;
  /** Relative to the service's base path, without a leading slash. */
  path: string;
  /** The key of the list in a collection answer (`users`), or of the record in a single read. */
  key: string;
  /** What is read, as a data lead says it: "the list of pupils". */
  what: string;
  /** Any one of these is enough. */
  scopes: readonly ScopeName[];
  /** The source setting to check when the server does not know the path. */
  setting: string;
}

const ROSTER: readonly ScopeName[] = ['roster-core.readonly', 'roster.readonly'];
const GRADEBOOK: readonly ScopeName[] = ['gradebook-core.readonly', 'gradebook.readonly'];

export function schoolEndpoint(config: OneRosterConfig): Endpoint {
  return {
    service: 'rostering',
    path: `schools/${encodeURIComponent(config.schoolSourcedId)}`,
    key: 'org',
    what: 'the school',
    scopes: ROSTER,
    setting: 'schoolSourcedId',
  };
}

export function schoolsEndpoint(): Endpoint {
  return {
    service: 'rostering',
    path: 'schools',
    key: 'orgs',
    what: 'the list of schools',
    scopes: ROSTER,
    setting: 'rosteringPath',
  };
}

export function studentsEndpoint(config: OneRosterConfig): Endpoint {
  const scoped = schoolScopedStudents(config);
  return {
    service: 'rostering',
    path: config.studentsPath.replaceAll(
      '{schoolSourcedId}',
      encodeURIComponent(config.schoolSourcedId),
    ),
    key: 'users',
    what: 'the list of pupils',
    // A school's own listings need the full rostering scope; `/students` takes the core one.
    scopes: scoped ? ['roster.readonly'] : ROSTER,
    setting: 'studentsPath',
  };
}

/** True when the server lists only this school's students, so no filtering by role is needed. */
export function schoolScopedStudents(config: OneRosterConfig): boolean {
  return config.studentsPath.includes('{schoolSourcedId}');
}

export const DEMOGRAPHICS: Endpoint = {
  service: 'rostering',
  path: 'demographics',
  key: 'demographics',
  what: "pupils' dates of birth and sex",
  scopes: ['roster-demographics.readonly'],
  setting: 'demographics',
};

export const ACADEMIC_SESSIONS: Endpoint = {
  service: 'rostering',
  path: 'academicSessions',
  key: 'academicSessions',
  what: 'the terms (academic sessions)',
  scopes: ROSTER,
  setting: 'rosteringPath',
};

export const CATEGORIES: Endpoint = {
  service: 'gradebook',
  path: 'categories',
  key: 'categories',
  what: 'the gradebook categories',
  scopes: GRADEBOOK,
  setting: 'gradebookPath',
};

export const SCORE_SCALES: Endpoint = {
  service: 'gradebook',
  path: 'scoreScales',
  key: 'scoreScales',
  what: 'the grade sets (score scales)',
  scopes: GRADEBOOK,
  setting: 'gradebookPath',
};

export const LINE_ITEMS: Endpoint = {
  service: 'gradebook',
  path: 'lineItems',
  key: 'lineItems',
  what: 'the gradebook columns (line items)',
  scopes: GRADEBOOK,
  setting: 'gradebookPath',
};

export const RESULTS: Endpoint = {
  service: 'gradebook',
  path: 'results',
  key: 'results',
  what: 'the results',
  scopes: GRADEBOOK,
  setting: 'gradebookPath',
};

export const ASSESSMENT_LINE_ITEMS: Endpoint = {
  service: 'assessment',
  path: 'assessmentLineItems',
  key: 'assessmentLineItems',
  what: 'the assessments (assessment line items)',
  scopes: ['assessment.readonly'],
  setting: 'assessmentPath',
};

export const ASSESSMENT_RESULTS: Endpoint = {
  service: 'assessment',
  path: 'assessmentResults',
  key: 'assessmentResults',
  what: 'the assessment results',
  scopes: ['assessment.readonly'],
  setting: 'assessmentPath',
};

export function endpointUrl(config: OneRosterConfig, endpoint: Endpoint): URL {
  const base = {
    rostering: config.rosteringPath,
    gradebook: config.gradebookPath,
    assessment: config.assessmentPath,
  }[endpoint.service];
  return new URL(`${config.baseUrl}${base}/${endpoint.path}`);
}

export interface ScopePlan {
  /** Scopes to ask for. */
  scopes: string[];
  /** Whether to ask again without a scope list when the server refuses this one. */
  fallBack: boolean;
}

/**
 * The scopes to ask for: every scope that lets the app make the reads the source is set to
 * make. Which of the alternatives a school's administrator grants is theirs to choose (the
 * core or the full rostering scope, say), so all are asked for; a server that will not narrow
 * the request and refuses it is asked again without a list, to get what the app may have.
 */
export function scopePlan(config: OneRosterConfig): ScopePlan {
  if (config.scopes) return { scopes: config.scopes, fallBack: false };
  const endpoints = [schoolEndpoint(config), studentsEndpoint(config), ACADEMIC_SESSIONS];
  if (config.demographics) endpoints.push(DEMOGRAPHICS);
  endpoints.push(CATEGORIES, LINE_ITEMS, RESULTS);
  if (config.assessmentResults !== 'off') endpoints.push(ASSESSMENT_LINE_ITEMS);
  const scopes = new Set(endpoints.flatMap((endpoint) => endpoint.scopes));
  return { scopes: [...scopes], fallBack: true };
}

/** True when the granted scopes, where the server listed them, let the app read this. */
export function mayRead(endpoint: Endpoint, granted: readonly string[] | null): boolean {
  return granted === null || missingScopes(endpoint, granted).length === 0;
}

/** The scope as sent: a bare suffix gets the configured prefix. */
export function scopeString(config: OneRosterConfig, scope: string): string {
  return scope.includes('/') ? scope : `${config.scopePrefix}${scope}`;
}

/** `…/scope/roster.readonly` and `roster.readonly` are the same scope to us. */
export function scopeSuffix(scope: string): string {
  return scope.slice(scope.lastIndexOf('/') + 1);
}

/** The endpoint's scopes the granted list lacks, or none when one of them was granted. */
export function missingScopes(endpoint: Endpoint, granted: readonly string[]): ScopeName[] {
  const have = new Set(granted.map(scopeSuffix));
  return endpoint.scopes.some((scope) => have.has(scope)) ? [] : [...endpoint.scopes];
}
