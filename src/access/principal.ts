import type { roleGrants, users } from '../db/schema.ts';

/**
 * Who is asking, and what their roles let them do. Every query the console and the API make is
 * scoped through these checks: a school's staff see their own school only.
 */

export type Role = (typeof roleGrants.$inferSelect)['role'];

export interface Grant {
  role: Role;
  /** Null: the whole trust. */
  schoolId: string | null;
  /** Null: every subject. */
  subjectId: number | null;
}

export interface Principal {
  user: Pick<typeof users.$inferSelect, 'id' | 'email' | 'displayName'>;
  grants: Grant[];
}

export const ROLE_LABELS: Record<Role, string> = {
  trust_admin: 'Trust admin',
  trust_analyst: 'Trust analyst',
  subject_leader: 'Subject leader',
  school_data_lead: 'School data lead',
  viewer: 'Read-only viewer',
};

/** The schools a principal may see: every school, or a list. */
export function schoolScope(principal: Principal): 'all' | string[] {
  if (principal.grants.some((grant) => grant.schoolId === null)) return 'all';
  return [...new Set(principal.grants.map((grant) => grant.schoolId!))];
}

export function canSeeSchool(principal: Principal, schoolId: string): boolean {
  const scope = schoolScope(principal);
  return scope === 'all' || scope.includes(schoolId);
}

export function isTrustAdmin(principal: Principal): boolean {
  return principal.grants.some((grant) => grant.role === 'trust_admin');
}

export function isTrustWide(principal: Principal): boolean {
  return schoolScope(principal) === 'all';
}

/** Adding, editing, running and uploading to a school's sources. */
export function canManageSources(principal: Principal, schoolId: string): boolean {
  return principal.grants.some(
    (grant) =>
      grant.role === 'trust_admin' ||
      (grant.role === 'school_data_lead' && grant.schoolId === schoolId),
  );
}

/** Marking a conflict between two sources reviewed: who looks after the data or the subject. */
export function canReviewConflict(
  principal: Principal,
  schoolId: string,
  subjectId: number,
): boolean {
  return canManageSources(principal, schoolId) || canDecide(principal, schoolId, subjectId);
}

/** Proposing a mapping: anyone who works with the school's data, but not a read-only viewer. */
export function canPropose(principal: Principal, schoolId: string | null): boolean {
  return principal.grants.some(
    (grant) =>
      grant.role !== 'viewer' &&
      (grant.schoolId === null || (schoolId !== null && grant.schoolId === schoolId)),
  );
}

/**
 * Confirming or rejecting: a subject leader for that school (or the trust) and subject (or all
 * subjects), or a trust admin (6.1, 6.2). A library rule (no school) needs a trust-wide leader.
 */
export function canDecide(
  principal: Principal,
  schoolId: string | null,
  subjectId: number | null,
): boolean {
  return principal.grants.some((grant) => {
    if (grant.role === 'trust_admin') return true;
    if (grant.role !== 'subject_leader') return false;
    const schoolFits = grant.schoolId === null || grant.schoolId === schoolId;
    const subjectFits = grant.subjectId === null || grant.subjectId === subjectId;
    return schoolFits && subjectFits;
  });
}

/** Managing the trust itself: schools, users, the scale and the school year. */
export function canAdminister(principal: Principal): boolean {
  return isTrustAdmin(principal);
}

export interface GrantProblem {
  field: 'role' | 'schoolId' | 'subjectId';
  message: string;
}

/**
 * Why a role cannot be given with this scope, or null. Admins and analysts work across the whole
 * trust; a data lead works for one school in every subject; a viewer reads every subject, of the
 * trust or of one school; a subject leader is for a school or the trust, a subject or all.
 */
export function grantProblem(grant: Grant): GrantProblem | null {
  if (!Object.hasOwn(ROLE_LABELS, grant.role)) return { field: 'role', message: 'Choose a role.' };
  const label = ROLE_LABELS[grant.role];
  const trustWide = grant.role === 'trust_admin' || grant.role === 'trust_analyst';
  if (trustWide && grant.schoolId !== null) {
    return { field: 'schoolId', message: `A ${lower(label)} works across the whole trust.` };
  }
  if (grant.role === 'school_data_lead' && grant.schoolId === null) {
    return { field: 'schoolId', message: 'A school data lead is for one school: choose it.' };
  }
  if (grant.role !== 'subject_leader' && grant.subjectId !== null) {
    return { field: 'subjectId', message: `A ${lower(label)} works with every subject.` };
  }
  return null;
}

function lower(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
}
