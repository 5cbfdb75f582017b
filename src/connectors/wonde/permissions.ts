/**
 * Wonde's permissions as a school approves them, for messages. A school grants them one by one;
 * a whole endpoint it did not grant answers 403, and a property it did not grant comes back as
 * `null` (research 1.3, 6.5). The exact names in Wonde's portal are not published: these say
 * what each covers, so that the school can find it.
 */
export const WONDE_PERMISSIONS = {
  school: { name: 'school access', covers: "this school's data" },
  students: { name: 'students', covers: 'the list of pupils' },
  education_details: {
    name: 'student education details',
    covers: 'UPNs, NC years and admission and leaving dates',
  },
  extended_details: {
    name: 'student extended details',
    covers: 'SEN status, free school meals, pupil premium and EAL',
  },
  year: { name: 'student year group', covers: 'year groups' },
  date_of_birth: { name: 'student date of birth', covers: 'dates of birth' },
  gender: { name: 'student gender', covers: 'sex' },
  assessment: { name: 'assessment', covers: 'aspects, result sets and results' },
  deletions: { name: 'deletions', covers: 'the log of removed records' },
} as const;

export type WondePermission = keyof typeof WONDE_PERMISSIONS;

const PERMISSION_TAG = 'permission:';

/** The detail a connector-raised 403 carries, so the message can name the permission. */
export function permissionDetail(permission: WondePermission): string {
  return `${PERMISSION_TAG}${permission}`;
}

export function permissionFromDetail(detail: string | undefined): WondePermission | null {
  if (!detail?.startsWith(PERMISSION_TAG)) return null;
  const key = detail.slice(PERMISSION_TAG.length);
  return key in WONDE_PERMISSIONS ? (key as WondePermission) : null;
}

/** The permission a 403 from an endpoint means, from the path after `schools/{id}/`. */
export function permissionForPath(path: string): WondePermission {
  if (path.startsWith('assessment')) return 'assessment';
  if (path.startsWith('students') || path.startsWith('counts')) return 'students';
  if (path.startsWith('deletions')) return 'deletions';
  return 'school';
}

/** What a data lead asks the school to do, in Wonde's terms. */
export function askForPermission(permission: WondePermission): string {
  return askForPermissions([permission]);
}

export function askForPermissions(permissions: readonly WondePermission[]): string {
  const entries = permissions.map((permission) => WONDE_PERMISSIONS[permission]);
  const covers = joinAnd(entries.map((entry) => entry.covers));
  const names = joinAnd(entries.map((entry) => `"${entry.name}"`));
  const one = entries.length === 1;
  return (
    `Wonde is not sharing ${covers} with Next Steps Sync: the school has not approved the ` +
    `${names} permission${one ? '' : 's'}. Ask the school to approve ${one ? 'it' : 'them'} ` +
    'for the Next Steps Sync app in the Wonde portal, then run the sync again.'
  );
}

function joinAnd(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
