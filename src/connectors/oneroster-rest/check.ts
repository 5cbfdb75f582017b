import type { CheckContext, CheckResult } from '../contract.ts';
import { isConnectorError } from '../http/index.ts';
import type { OneRosterConfig, OneRosterSecrets } from './config.ts';
import {
  ACADEMIC_SESSIONS,
  ASSESSMENT_LINE_ITEMS,
  CATEGORIES,
  DEMOGRAPHICS,
  type Endpoint,
  endpointUrl,
  LINE_ITEMS,
  mayRead,
  missingScopes,
  RESULTS,
  schoolEndpoint,
  schoolScopedStudents,
  schoolsEndpoint,
  studentsEndpoint,
} from './endpoints.ts';
import { collectionOf } from './paging.ts';
import { openSession, type Session } from './session.ts';
import { scopeList } from './wording.ts';

/**
 * "Check connection": a token, then one small read of everything a pull needs, so that the
 * answer names what is wrong (the client id and secret, a scope, the school id, the host) or
 * says what it found (the school's name and how many pupils the server lists).
 */

type Context = CheckContext<OneRosterConfig, OneRosterSecrets>;

const NAME_FIELDS = 'sourcedId,name,identifier';

export async function check(ctx: Context): Promise<CheckResult> {
  const session = openSession(ctx.config, ctx.secrets);
  try {
    return await checkWith(session, ctx);
  } catch (error) {
    if (!isConnectorError(error)) throw error;
    return {
      ok: false,
      category: error.category,
      message: error.message,
      details: { code: error.code },
    };
  } finally {
    await session.close();
  }
}

async function checkWith(session: Session, ctx: Context): Promise<CheckResult> {
  const { config, signal } = ctx;
  const details: Record<string, string> = {};
  const token = await session.token(signal);
  if (token.granted) details.scopes = token.granted.join(' ');

  const needed = neededEndpoints(config);
  const lacking = token.granted
    ? needed.filter((e) => missingScopes(e, token.granted!).length)
    : [];
  if (lacking.length > 0) return scopesMissing(config, lacking, details);

  const school = await readSchool(session, signal);
  if ('unknown' in school) return school.unknown;
  details.school = school.name;
  details.schoolSourcedId = config.schoolSourcedId;
  if (school.identifier) details.schoolIdentifier = school.identifier;

  const pupils = await probe(session, studentsEndpoint(config), signal);
  if (pupils !== null)
    details[schoolScopedStudents(config) ? 'pupils' : 'studentsOnServer'] = pupils;
  for (const endpoint of needed.slice(2)) await probe(session, endpoint, signal);

  details.assessmentResults = await assessmentAccess(session, token.granted, signal);
  const count = pupils === null ? '' : `, ${pupils} pupils listed`;
  return {
    ok: true,
    category: null,
    message: `Connected to ${config.systemName}: ${school.name}${count}.`,
    details,
  };
}

/** The school and the student list first: `needed.slice(2)` relies on that order. */
function neededEndpoints(config: OneRosterConfig): Endpoint[] {
  const endpoints = [schoolEndpoint(config), studentsEndpoint(config)];
  if (config.demographics) endpoints.push(DEMOGRAPHICS);
  endpoints.push(ACADEMIC_SESSIONS, CATEGORIES, LINE_ITEMS, RESULTS);
  if (config.assessmentResults === 'on') endpoints.push(ASSESSMENT_LINE_ITEMS);
  return endpoints;
}

function scopesMissing(
  config: OneRosterConfig,
  lacking: Endpoint[],
  details: Record<string, string>,
): CheckResult {
  const system = config.systemName;
  const wants = [...new Set(lacking.map((endpoint) => scopeList(endpoint)))];
  const what = [...new Set(lacking.map((endpoint) => endpoint.what))].join(', ');
  return {
    ok: false,
    category: 'auth',
    message:
      `${system} has not granted the Next Steps Sync app the scope ${wants.join(' and ')}, ` +
      `which it needs to read ${what}. Ask the school's ${system} administrator to grant it, ` +
      'then check the connection again.',
    details: { ...details, code: 'scope_missing', missingScopes: wants.join(' ') },
  };
}

type SchoolRead = { name: string; identifier: string | null } | { unknown: CheckResult };

async function readSchool(session: Session, signal: AbortSignal): Promise<SchoolRead> {
  const { config } = session;
  const endpoint = schoolEndpoint(config);
  const url = endpointUrl(config, endpoint);
  if (config.selectFields) url.searchParams.set('fields', NAME_FIELDS);
  try {
    const fetched = await session.get(endpoint, url, signal);
    const org = JSON.parse(fetched.body.toString('utf8').replace(/^\uFEFF/, ''))?.org;
    const name = typeof org?.name === 'string' ? org.name : config.schoolSourcedId;
    const identifier = typeof org?.identifier === 'string' ? org.identifier : null;
    return { name, identifier };
  } catch (error) {
    if (!isConnectorError(error) || error.code !== 'http_not_found') {
      if (error instanceof SyntaxError) return { name: config.schoolSourcedId, identifier: null };
      throw error;
    }
    const known = await knownSchools(session, signal);
    const listed = known ? ` The server lists: ${known}.` : '';
    return {
      unknown: {
        ok: false,
        category: error.category,
        message: `${error.message}${listed}`,
        details: { code: 'school_unknown', ...(known ? { knownSchools: known } : {}) },
      },
    };
  }
}

// Names and ids of a few schools the server does know, so the user can pick the right id.
async function knownSchools(session: Session, signal: AbortSignal): Promise<string | null> {
  const endpoint = schoolsEndpoint();
  const url = endpointUrl(session.config, endpoint);
  url.searchParams.set('limit', '10');
  if (session.config.selectFields) url.searchParams.set('fields', NAME_FIELDS);
  try {
    const orgs = collectionOf(session, endpoint, url, await session.get(endpoint, url, signal));
    const named = orgs
      .map((org) => org as { sourcedId?: unknown; name?: unknown })
      .filter((org) => typeof org.sourcedId === 'string')
      .map((org) => `${String(org.name ?? 'unnamed')} (${String(org.sourcedId)})`);
    return named.length > 0 ? named.join('; ') : null;
  } catch {
    return null;
  }
}

/** Reads one record of a list; gives the server's count when it sends one. */
async function probe(
  session: Session,
  endpoint: Endpoint,
  signal: AbortSignal,
): Promise<string | null> {
  const url = endpointUrl(session.config, endpoint);
  url.searchParams.set('limit', '1');
  if (session.config.selectFields) url.searchParams.set('fields', 'sourcedId');
  const fetched = await session.get(endpoint, url, signal);
  collectionOf(session, endpoint, url, fetched);
  const total = fetched.headers['x-total-count'];
  return total === undefined ? null : String(total);
}

async function assessmentAccess(
  session: Session,
  granted: readonly string[] | null,
  signal: AbortSignal,
): Promise<string> {
  const mode = session.config.assessmentResults;
  if (mode === 'off') return 'not read (turned off)';
  if (!mayRead(ASSESSMENT_LINE_ITEMS, granted)) return 'not granted (scope assessment.readonly)';
  try {
    const url = endpointUrl(session.config, ASSESSMENT_LINE_ITEMS);
    url.searchParams.set('limit', '1');
    collectionOf(
      session,
      ASSESSMENT_LINE_ITEMS,
      url,
      await session.get(ASSESSMENT_LINE_ITEMS, url, signal),
    );
    return 'offered';
  } catch (error) {
    const tolerated = isConnectorError(error) && mode === 'auto';
    if (tolerated && error.code === 'http_not_found') return 'not offered';
    if (tolerated && error.code === 'http_forbidden') {
      return 'not allowed (scope assessment.readonly)';
    }
    throw error;
  }
}
