import type { AssemblyConfig } from './config.ts';
import { wrongSchool } from './messages.ts';
import type { AssemblySession } from './session.ts';
import { schoolSchema, singleSchema } from './wire.ts';

export interface AssemblySchool {
  id: string;
  name: string;
  urn: string | null;
}

/** The school the token belongs to: Assembly tokens are per school, so there is no id to ask. */
export async function readSchool(
  session: AssemblySession,
  config: AssemblyConfig,
): Promise<AssemblySchool> {
  const fetched = await session.get(
    '/school',
    {},
    {
      endpoint: { what: 'the school details', scope: config.scopes.school },
    },
  );
  const school = session.parse(fetched, singleSchema(schoolSchema));
  return { id: school.id, name: school.name, urn: school.urn ?? null };
}

/**
 * Stops a pull whose token is for another school than the source's, so that one school's
 * pupils never land under another. Only asked when the settings name the school.
 */
export async function verifySchool(
  session: AssemblySession,
  config: AssemblyConfig,
): Promise<AssemblySchool | null> {
  if (!config.schoolId && !config.schoolUrn) return null;
  const school = await readSchool(session, config);
  const mismatch = schoolMismatch(config, school);
  if (mismatch) throw session.fail('http_not_found', { path: '/school', message: mismatch });
  return school;
}

/** Why the school does not match the settings, or null when it does. */
export function schoolMismatch(config: AssemblyConfig, school: AssemblySchool): string | null {
  const urn = school.urn ? `, URN ${school.urn}` : '';
  const actual = `${school.name} (Assembly id ${school.id}${urn})`;
  if (config.schoolId && config.schoolId !== school.id) {
    return wrongSchool(`Assembly id ${config.schoolId}`, actual);
  }
  if (config.schoolUrn && school.urn && config.schoolUrn !== school.urn) {
    return wrongSchool(`URN ${config.schoolUrn}`, actual);
  }
  return null;
}
