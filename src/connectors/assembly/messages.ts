import type { Describe, Problem } from '../http/index.ts';

/**
 * What a school data lead reads when Assembly says no, in Assembly's own terms. The school
 * approves the app (and its scopes) in the Assembly Platform; we can only ask them to.
 */

export const SYSTEM = 'Assembly';
const APP = 'the Next Steps Sync app';

/** What one endpoint holds and the scope that opens it, for the messages about it. */
export interface Endpoint {
  what: string;
  scope: string;
}

export const REVOKED =
  `Assembly refused the school's token and would not renew it: the school may have removed ` +
  `${APP} or withdrawn its approval. Ask the school to approve ${APP} again in the Assembly ` +
  'Platform, then paste the new tokens into the source settings.';

export const CLIENT_REJECTED =
  `Assembly did not accept the client id and secret of ${APP}. Check both in the source ` +
  "settings against the app's page in the Assembly Developer Portal.";

export function wrongSchool(expected: string, actual: string): string {
  return (
    `The Assembly token is for ${actual}, not for the school in the source settings ` +
    `(${expected}). Ask the school whose data this source should read to approve ${APP}, ` +
    'and paste its tokens, or correct the school in the settings.'
  );
}

export function missingDemographics(scope: string): string {
  return (
    'Assembly sent pupils without their demographics, so sex, SEN, disadvantage and EAL are ' +
    `blank. Ask the school to grant the "${scope}" scope to ${APP} in the Assembly Platform.`
  );
}

/** Wording for failures of a request to one endpoint; undefined keeps the catalogue's. */
export function describeEndpoint(endpoint: Endpoint, apiVersion: string): Describe {
  return (problem: Problem) => {
    switch (problem.code) {
      case 'http_forbidden':
        return (
          `Assembly says ${APP} may not read ${endpoint.what} for this school ` +
          `(${problem.status}). Ask the school to grant the "${endpoint.scope}" scope to the ` +
          'app in the Assembly Platform, then run the sync again.'
        );
      case 'http_bad_request':
        return problem.status === 406 ? unsupportedVersion(apiVersion) : undefined;
      case 'http_not_found':
        return (
          `Assembly has no ${endpoint.what} at this address (404). Check the environment ` +
          '(production or sandbox) and the API address in the source settings.'
        );
      case 'rate_limited':
        return `${problem.message} Assembly allows 600 requests per 5 minutes for each school.`;
      default:
        return undefined;
    }
  };
}

/** Wording for failures of the OAuth server, which lives on its own host. */
export function describeAuthServer(): Describe {
  return (problem: Problem) => {
    if (problem.code === 'host_not_found' || problem.code === 'connection_refused') {
      return (
        `${problem.message} This is Assembly's sign-in server: check the environment and the ` +
        'OAuth address in the source settings.'
      );
    }
    return undefined;
  };
}

function unsupportedVersion(apiVersion: string): string {
  return (
    `Assembly does not support API version ${apiVersion} (406 unsupported_version). Set the ` +
    'API version in the source settings to one Assembly supports, such as 1.1.'
  );
}
