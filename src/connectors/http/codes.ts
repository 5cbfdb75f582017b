/** What sync health can tell a school data lead to do about a failed source. */
export type ConnectorErrorCategory = 'auth' | 'config' | 'rate_limited' | 'transient' | 'bad_data';

/** The facts a message may quote. Every value here has already been redacted. */
export interface MessageFacts {
  system: string;
  status?: number;
  attempts: number;
  detail?: string;
}

interface CodeEntry {
  category: ConnectorErrorCategory;
  message: (facts: MessageFacts) => string;
}

const status = (facts: MessageFacts): string => (facts.status ? ` (${facts.status})` : '');

const tries = (facts: MessageFacts): string =>
  facts.attempts > 1 ? `, after ${facts.attempts} attempts` : '';

const detail = (facts: MessageFacts): string => (facts.detail ? ` (${facts.detail})` : '');

const LATER = 'The sync will try again at its next run.';

// One catalogue, so that a code always means the same thing in every connector and in sync
// health. Messages are written for a school data lead, not for a developer.
const CATALOGUE = {
  http_unauthorized: {
    category: 'auth',
    message: (f) =>
      `The ${f.system} server refused the token${status(f)}. It may have been revoked or ` +
      'expired: ask the school to re-approve access, then paste the new token.',
  },
  http_forbidden: {
    category: 'auth',
    message: (f) =>
      `The ${f.system} server says this connection may not read this data${status(f)}. ` +
      `Ask the school to grant the missing permission in ${f.system}, then run the sync again.`,
  },
  http_not_found: {
    category: 'config',
    message: (f) =>
      `The ${f.system} server does not know this school or address${status(f)}. ` +
      'Check the school id and the server address in the source settings.',
  },
  http_bad_request: {
    category: 'config',
    message: (f) =>
      `The ${f.system} server rejected the request${status(f)}. Check the source settings; ` +
      'if they look right, report this to the Next Steps team.',
  },
  http_redirect: {
    category: 'config',
    message: (f) =>
      `The ${f.system} server sent us to a different address${status(f)}. ` +
      'Check the server address in the source settings.',
  },
  host_not_found: {
    category: 'config',
    message: (f) =>
      `The ${f.system} host was not found. Check the regional host in the source settings.`,
  },
  certificate_invalid: {
    category: 'config',
    message: (f) =>
      `The security certificate of the ${f.system} server could not be verified${detail(f)}. ` +
      'Check the server address; a school-hosted server may need its certificate added.',
  },
  invalid_url: {
    category: 'config',
    message: (f) =>
      `The ${f.system} address in the source settings is not a valid web address${detail(f)}.`,
  },
  connection_refused: {
    category: 'transient',
    message: (f) =>
      `The ${f.system} server refused the connection${tries(f)}. It may be down for ` +
      `maintenance. ${LATER}`,
  },
  connection_reset: {
    category: 'transient',
    message: (f) => `The connection to ${f.system} kept dropping${tries(f)}. ${LATER}`,
  },
  network_error: {
    category: 'transient',
    message: (f) => `${f.system} could not be reached${detail(f)}${tries(f)}. ${LATER}`,
  },
  timeout: {
    category: 'transient',
    message: (f) => `The ${f.system} server took too long to answer${tries(f)}. ${LATER}`,
  },
  deadline_exceeded: {
    category: 'transient',
    message: (f) =>
      `${f.system} did not give a complete answer in the time allowed${tries(f)}. ${LATER}`,
  },
  server_error: {
    category: 'transient',
    message: (f) =>
      `The ${f.system} server had a problem of its own${status(f)}${tries(f)}. ${LATER} ` +
      `If this lasts more than a day, contact ${f.system} support.`,
  },
  aborted: {
    category: 'transient',
    message: (f) => `The request to ${f.system} was cancelled before it finished.`,
  },
  rate_limited: {
    category: 'rate_limited',
    message: (f) =>
      `The ${f.system} server asked us to slow down${status(f)}${tries(f)}. ${LATER} ` +
      'If this keeps happening, sync fewer schools at the same time.',
  },
  budget_exhausted: {
    category: 'rate_limited',
    message: (f) => `This run used up the request allowance for ${f.system}${detail(f)}. ${LATER}`,
  },
  invalid_json: {
    category: 'bad_data',
    message: (f) =>
      `The ${f.system} server answered with something that is not data${detail(f)}. ` +
      'Check the server address: it may be a login or maintenance page.',
  },
  truncated_body: {
    category: 'bad_data',
    message: (f) => `The answer from ${f.system} was cut off part-way${tries(f)}. ${LATER}`,
  },
  schema_mismatch: {
    category: 'bad_data',
    message: (f) =>
      `${f.system} sent data in a shape we do not recognise${detail(f)}. ` +
      'Report this to the Next Steps team.',
  },
  pagination_loop: {
    category: 'bad_data',
    message: (f) =>
      `${f.system} kept sending the same page of results${detail(f)}. ` +
      'Report this to the Next Steps team.',
  },
} as const satisfies Record<string, CodeEntry>;

/** A stable code: safe to match on, to store with a sync run and to document. */
export type ConnectorErrorCode = keyof typeof CATALOGUE;

export function categoryOf(code: ConnectorErrorCode): ConnectorErrorCategory {
  return CATALOGUE[code].category;
}

export function defaultMessage(code: ConnectorErrorCode, facts: MessageFacts): string {
  return CATALOGUE[code].message(facts);
}
