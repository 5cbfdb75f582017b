import { inArray } from 'drizzle-orm';
import {
  canAdminister,
  canManageSources,
  type Grant,
  isTrustWide,
  type Principal,
  ROLE_LABELS,
  type Role,
} from '../../access/principal.ts';
import type { Db } from '../../db/index.ts';
import { schools, subjects } from '../../db/schema.ts';
import type { NavItem, Shell } from '../views/layout.ts';

/** Who is signed in, as the header shows them, and the navigation their role needs. */

const ROLE_ORDER: readonly Role[] = [
  'trust_admin',
  'trust_analyst',
  'subject_leader',
  'school_data_lead',
  'viewer',
];

export async function shellFor(db: Db, principal: Principal, csrfToken: string): Promise<Shell> {
  const grant = mainGrant(principal.grants);
  return {
    person: principal.user.displayName,
    role: grant ? await describeGrant(db, grant) : 'No role yet',
    csrfToken,
    nav: navigationFor(principal),
  };
}

/** The page a person lands on: the overview for the trust, their school's work for its staff. */
export function homeFor(principal: Principal): string | null {
  if (isTrustWide(principal)) return null;
  const grant = mainGrant(principal.grants);
  if (!grant?.schoolId) return null;
  const leadsOnly = !principal.grants.some((g) => g.role !== 'subject_leader');
  return leadsOnly ? `/schools/${grant.schoolId}/unmapped` : `/schools/${grant.schoolId}`;
}

export function navigationFor(principal: Principal): NavItem[] {
  if (isTrustWide(principal)) {
    const items: NavItem[] = [
      { href: '/', label: 'Overview' },
      { href: '/pupils', label: 'Pupils' },
      { href: '/rules/library', label: 'Rule library' },
    ];
    if (canAdminister(principal)) {
      items.push(
        { href: '/schools', label: 'Schools' },
        { href: '/admin/users', label: 'Users' },
        { href: '/audit', label: 'Audit log' },
      );
    }
    return items;
  }
  const schoolIds = [...new Set(principal.grants.map((grant) => grant.schoolId!))];
  if (schoolIds.length !== 1) {
    return [
      { href: '/', label: 'My schools' },
      { href: '/pupils', label: 'Pupils' },
      { href: '/rules/library', label: 'Rule library' },
    ];
  }
  const school = `/schools/${schoolIds[0]}`;
  const items: NavItem[] = [
    { href: school, label: 'My school' },
    { href: `${school}/unmapped`, label: 'Unmapped values' },
    { href: `${school}/missing`, label: 'Missing pupils' },
    { href: `${school}/rules`, label: 'Mapping rules' },
  ];
  if (canManageSources(principal, schoolIds[0]!)) {
    items.push({ href: `${school}/uploads`, label: 'Uploads' });
  }
  items.push({ href: '/pupils', label: 'Pupils' });
  return items;
}

function mainGrant(grants: readonly Grant[]): Grant | null {
  const sorted = [...grants].sort(
    (a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role),
  );
  return sorted[0] ?? null;
}

/** "Subject leader · Mathematics, Oakfield Primary Academy". */
async function describeGrant(db: Db, grant: Grant): Promise<string> {
  const [subject] =
    grant.subjectId === null
      ? []
      : await db
          .select({ name: subjects.name })
          .from(subjects)
          .where(inArray(subjects.id, [grant.subjectId]));
  const [school] =
    grant.schoolId === null
      ? []
      : await db
          .select({ name: schools.name })
          .from(schools)
          .where(inArray(schools.id, [grant.schoolId]));
  return grantText(grant, school?.name ?? null, subject?.name ?? null);
}

/** A role in words with its scope, from the names of its school and subject (null: all). */
export function grantText(grant: Grant, school: string | null, subject: string | null): string {
  const parts: string[] = [];
  if (grant.subjectId !== null && subject) parts.push(subject);
  if (grant.schoolId === null) parts.push(TRUST_WIDE);
  else if (school) parts.push(school);
  return `${ROLE_LABELS[grant.role]} · ${parts.join(', ')}`;
}

const TRUST_WIDE = 'whole trust';
