import type { Describe, Problem } from '../http/index.ts';
import type { OneRosterConfig } from './config.ts';
import type { Endpoint } from './endpoints.ts';
import { readOAuthError, readStatusInfo, statusClause } from './status-info.ts';

/**
 * Messages in the school's own terms: which read failed, which scope the app lacks, which
 * setting to change. Every hook gets a problem whose values the HTTP client has redacted.
 */

const APP = 'the Next Steps Sync app';

/** Words a failed read of one endpoint. */
export function describeRead(config: OneRosterConfig, endpoint: Endpoint): Describe {
  const system = config.systemName;
  return (problem) => {
    const info = readStatusInfo(problem.bodyExcerpt);
    const said = statusClause(info);
    const status = problem.status ? ` (${problem.status})` : '';
    switch (problem.code) {
      case 'http_forbidden':
        return (
          `${system} would not let ${APP} read ${endpoint.what}${status}. The app needs the ` +
          `scope ${scopeList(endpoint)}: ask the school's ${system} administrator to grant it, ` +
          `then run the sync again.${said}`
        );
      case 'http_unauthorized':
        return (
          `${system} refused the app's access token${status}, even a newly issued one. The ` +
          `app's access may have been revoked: ask the school's ${system} administrator to ` +
          `check that ${APP} is still approved, then run the check again.${said}`
        );
      case 'http_not_found':
        return notFound(config, endpoint, status, said);
      case 'http_bad_request':
        return badRequest(config, endpoint, problem, info?.codeMinor ?? []) + said;
      default:
        return `${problem.message}${said}`;
    }
  };
}

/** Words a failed token request: the client id and secret, or a scope the server refused. */
export function describeToken(config: OneRosterConfig): Describe {
  const system = config.systemName;
  return (problem) => {
    const oauth = readOAuthError(problem.bodyExcerpt);
    const said = oauth
      ? ` The server said: "${[oauth.error, oauth.description].filter(Boolean).join(': ')}".`
      : '';
    const status = problem.status ? ` (${problem.status})` : '';
    switch (problem.code) {
      case 'http_unauthorized':
        return (
          `${system} did not accept the client id and secret${status}. They may be mistyped, ` +
          `or the app's access may have been revoked: ask the school's ${system} administrator ` +
          `for the client id and secret of ${APP}, and enter them in the source settings.${said}`
        );
      case 'http_forbidden':
        return (
          `${system} would not grant ${APP} the scopes it asked for${status}. Ask the school's ` +
          `${system} administrator to grant them, or list only the granted ones in the ` +
          `source's scopes setting.${said}`
        );
      case 'http_not_found':
      case 'http_redirect':
        return (
          `There is no ${system} token service at the token address${status}. Check the ` +
          `token URL in the source settings against the provider's instructions.${said}`
        );
      case 'host_not_found':
        return (
          `The ${system} token host was not found. Check the token URL in the source ` +
          'settings (for a regional provider, the region in the address).'
        );
      default:
        return `${problem.message.replace(/\.$/, '')} (while asking for an access token).${said}`;
    }
  };
}

/** "roster.readonly" or "roster-core.readonly (or roster.readonly)". */
export function scopeList(endpoint: Endpoint): string {
  const [first, ...others] = endpoint.scopes;
  return others.length > 0 ? `${first} (or ${others.join(' or ')})` : `${first}`;
}

function notFound(config: OneRosterConfig, endpoint: Endpoint, status: string, said: string) {
  const system = config.systemName;
  if (endpoint.setting === 'schoolSourcedId') {
    return (
      `${system} does not know the school id "${config.schoolSourcedId}"${status}. Check the ` +
      `school's sourcedId in the source settings; it is the id of the school's org in ` +
      `${system}.${said}`
    );
  }
  if (endpoint.setting === 'studentsPath' && config.studentsPath.includes('{schoolSourcedId}')) {
    return (
      `${system} has no student list for the school id "${config.schoolSourcedId}"${status}. ` +
      `Check the school's sourcedId and the students path in the source settings.${said}`
    );
  }
  const setting =
    endpoint.setting === 'demographics'
      ? 'the rostering path, or turn off demographics if this provider has none'
      : `the ${endpoint.setting} setting`;
  return (
    `${system} has nothing at the address for ${endpoint.what}${status}. Check the server ` +
    `address and ${setting} in the source settings.${said}`
  );
}

function badRequest(
  config: OneRosterConfig,
  endpoint: Endpoint,
  problem: Problem,
  codeMinor: readonly string[],
): string {
  const system = config.systemName;
  const status = problem.status ? ` (${problem.status})` : '';
  if (codeMinor.includes('invalid_filter_field')) {
    return (
      `${system} does not accept the filter ${APP} uses to ask for ${endpoint.what} changed ` +
      `since the last sync${status}. Turn off deltaFilter in the source settings, so that ` +
      'changes are found by comparing dates instead.'
    );
  }
  if (codeMinor.includes('invalid_selection_field')) {
    return (
      `${system} does not accept the list of fields ${APP} asks for in ${endpoint.what}` +
      `${status}. Turn off selectFields in the source settings.`
    );
  }
  return (
    `${problem.message} A provider that does not support sorting or field lists may accept ` +
    'the request with sortBySourcedId or selectFields turned off.'
  );
}
