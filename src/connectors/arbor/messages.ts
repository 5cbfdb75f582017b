import type { Describe, Problem } from '../http/index.ts';
import type { ArborResources } from './config.ts';

/**
 * What to tell a school data lead when Arbor fails, in Arbor's own terms: the application in the
 * Arbor Developers Portal, its username and password, its permissions, the school's address.
 */

/** The detail the client gives when the first answer shows that no Arbor school is there. */
export const NOT_ARBOR = 'not an Arbor API';

/** Each resource as a data lead would name it, with the Arbor entity to grant. */
export const RESOURCE_WORDS: Record<keyof ArborResources, string> = {
  students: 'pupils (Student)',
  people: "pupils' names (Person)",
  upnAssignments: 'UPNs (UkDfe_UpnAssignment)',
  senAssignments: 'SEN statuses (SenStatusAssignment)',
  pupilPremium: 'pupil premium records (UkDfe_PupilPremiumRecipient)',
  marks: 'assessment marks (StudentProgressAssessmentMark)',
};

const ADDRESS_HINT = 'it looks like yourschool.uk.arbor.sc';

export function describeArbor(host: string, resources: ArborResources): Describe {
  const words = wordsFor(resources);
  return (problem) => {
    const what = words(resourceOf(problem.url));
    const status = problem.status ? ` (${problem.status})` : '';
    switch (problem.code) {
      case 'http_unauthorized':
        return (
          `Arbor at ${host} refused the API username and password${status}. Check them ` +
          'against the Next Steps Sync application in the Arbor Developers Portal; if its ' +
          'password was regenerated there, paste the new one.'
        );
      case 'http_forbidden':
        return (
          `Arbor at ${host} says the Next Steps Sync application may not read ${what}` +
          `${status}${arborSays(problem)}. Ask the school to switch the application on in ` +
          `Arbor and let it read ${what}, then run the sync again.`
        );
      case 'http_not_found':
        return problem.detail === NOT_ARBOR
          ? `No Arbor school answers at ${host}. Check the school's Arbor address in the ` +
              `source settings: ${ADDRESS_HINT}.`
          : `Arbor at ${host} has no ${what} resource${status}. If this school's Arbor names ` +
              'it differently, correct it under "resources" in the source settings.';
      case 'host_not_found':
        return (
          `There is no server called ${host}. Check the school's Arbor address in the source ` +
          `settings: ${ADDRESS_HINT}.`
        );
      case 'http_redirect':
        return (
          `${host} sent us to another address instead of answering as Arbor${status}. Check ` +
          `the school's Arbor address in the source settings: ${ADDRESS_HINT}.`
        );
      case 'http_bad_request':
        return (
          `Arbor at ${host} rejected our request for ${what}${status}${arborSays(problem)}. ` +
          'Check the paging and filter settings of the source; if they are the defaults, ' +
          'report this to the Next Steps team.'
        );
      case 'pagination_loop':
        return (
          `Arbor at ${host} sent the same page of ${what} twice (${problem.detail}). Check the ` +
          'page number settings of the source (parameter name and first page); if they are ' +
          'the defaults, report this to the Next Steps team.'
        );
      default:
        return undefined;
    }
  };
}

function wordsFor(resources: ArborResources): (path: string) => string {
  const byPath = new Map<string, string>();
  for (const [key, path] of Object.entries(resources)) {
    byPath.set(path, RESOURCE_WORDS[key as keyof ArborResources]);
  }
  return (path) => byPath.get(path) ?? (path ? `${path} records` : 'its data');
}

/** The resource a request was for, from its redacted URL: `/rest-v2/students/12` → students. */
export function resourceOf(url: string): string {
  try {
    return new URL(url).pathname.split('/')[2] ?? '';
  } catch {
    return '';
  }
}

// Arbor's error body is {response: {code, reason, errors: [{exception, message}]}}; its message
// often names the entity that is not allowed (research 2, "Errors"). The excerpt is already
// redacted and may be cut short, so it is searched rather than parsed.
function arborSays(problem: Problem): string {
  const message = /"message"\s*:\s*"((?:[^"\\]|\\.){1,200})"/.exec(problem.bodyExcerpt ?? '')?.[1];
  return message ? `; Arbor says: "${message.replace(/\\(.)/g, '$1')}"` : '';
}
