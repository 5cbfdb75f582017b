import type { Problem } from '../http/index.ts';
import { askForPermission, permissionForPath, permissionFromDetail } from './permissions.ts';

/** The detail of a connector-raised 404 when the school's data is at another regional host. */
export const WRONG_REGION = 'wrong_region';

const REGIONS =
  'UK schools use api.wonde.com, Australia and New Zealand api-ap-southeast-2.wonde.com, ' +
  'South Africa api-af-south-1.wonde.com';

/** Words the client's failures in Wonde's terms; undefined keeps the catalogue's message. */
export function describeWonde(
  schoolId: string,
  host: string,
): (problem: Problem) => string | undefined {
  return (problem) => {
    const path = schoolPath(problem.url, schoolId);
    const status = problem.status ? ` (${problem.status})` : '';

    if (problem.code === 'http_unauthorized') {
      return (
        `Wonde refused the API token${status}. It has been revoked or replaced, or was not ` +
        'pasted whole: copy the current token of the Next Steps Sync app from the Wonde portal ' +
        'into the source settings. If every Wonde school fails at once, the token itself changed.'
      );
    }
    if (problem.code === 'http_forbidden') {
      const permission = permissionFromDetail(problem.detail) ?? permissionForPath(path ?? '');
      if (permission !== 'school') return `${askForPermission(permission)}${status}`.trim();
      return (
        `Wonde says Next Steps Sync may not read school ${schoolId}${status}. The school may ` +
        'not have approved the app yet, or may have revoked it: ask the school to approve ' +
        'Next Steps Sync in the Wonde portal.'
      );
    }
    if (problem.code === 'http_not_found' && problem.detail === WRONG_REGION) {
      return (
        `Wonde gave no data for school ${schoolId} at ${host}. Wonde keeps each school in one ` +
        `region and answers with nothing at the others: ${REGIONS}. Check the regional host ` +
        'in the source settings.'
      );
    }
    if (problem.code === 'http_not_found' && path !== null) {
      return (
        `Wonde does not know school ${schoolId}${status}. Check the Wonde school id in the ` +
        'source settings (it looks like A1930499544, not the URN), and that the school has ' +
        'approved Next Steps Sync.'
      );
    }
    // Wonde answers a parameter it cannot take with 422 and its own validation body.
    if (problem.code === 'http_bad_request' && problem.status === 422) {
      return (
        'Wonde would not take a setting of this request (422), most likely the time given ' +
        'for changes since the last sync. Check the delta time zone in the source settings; if ' +
        'it looks right, report this to the Next Steps team.'
      );
    }
    return undefined;
  };
}

// The part of a redacted URL after `schools/{id}/`, or null for other paths.
function schoolPath(url: string, schoolId: string): string | null {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return null;
  }
  const marker = `/schools/${schoolId}`;
  const at = pathname.indexOf(marker);
  if (at < 0) return null;
  return pathname.slice(at + marker.length).replace(/^\//, '');
}
