import type { ErrorBody } from './body.ts';
import type { ConnectorErrorCode } from './codes.ts';
import type { RetryFacts } from './retry.ts';

/** One failed attempt, before it becomes a ConnectorError. */
export interface Failure extends RetryFacts {
  code: ConnectorErrorCode;
  status?: number;
  /** The start of the body, not yet redacted. */
  body?: ErrorBody;
  detail?: string;
  cause?: unknown;
}

/** Where the attempt was when it failed: a drop during the body means a truncated answer. */
export type Phase = 'headers' | 'body';

const SERVER_ERRORS_WORTH_RETRYING = new Set([500, 502, 503, 504]);

const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA']);
const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const TRUNCATED = new Set([...RESET, 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_ABORTED']);

// OpenSSL verification codes all name a certificate or an issuer; Node adds its own for a name
// that does not match.
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH/;
const TLS = /^ERR_SSL_|^ERR_TLS_/;

/** Classifies an answer that is neither 2xx nor 304. */
export function statusFailure(status: number, serverWaitMs: number | undefined): Failure {
  if (status === 429) return { code: 'rate_limited', status, retryable: true, serverWaitMs };
  if (status === 408) return { code: 'timeout', status, retryable: true, serverWaitMs };
  if (status >= 500) {
    const retryable = SERVER_ERRORS_WORTH_RETRYING.has(status);
    return { code: 'server_error', status, retryable, serverWaitMs };
  }
  return { code: clientErrorCode(status), status, retryable: false };
}

/** Classifies an error thrown by the connection, by its code. */
export function networkFailure(error: unknown, phase: Phase): Failure {
  const code = errorCode(error) ?? '';
  const base = { cause: error, detail: code || undefined };

  if (phase === 'body' && TRUNCATED.has(code)) {
    return { ...base, code: 'truncated_body', retryable: true };
  }
  if (DNS.has(code)) {
    // EAI_AGAIN is the resolver saying "try again"; ENOTFOUND is an answer.
    return { ...base, code: 'host_not_found', retryable: code === 'EAI_AGAIN', unsent: true };
  }
  if (REFUSED.has(code))
    return { ...base, code: 'connection_refused', retryable: true, unsent: true };
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { ...base, code: 'timeout', retryable: true, unsent: true };
  }
  if (TIMEOUT.has(code)) return { ...base, code: 'timeout', retryable: true };
  if (RESET.has(code)) return { ...base, code: 'connection_reset', retryable: true };
  if (CERTIFICATE.test(code) || TLS.test(code)) {
    return { ...base, code: 'certificate_invalid', retryable: false };
  }
  return { ...base, code: 'network_error', retryable: false };
}

function clientErrorCode(status: number): ConnectorErrorCode {
  if (status === 401) return 'http_unauthorized';
  if (status === 403) return 'http_forbidden';
  if (status === 404 || status === 410) return 'http_not_found';
  if (status < 400) return 'http_redirect';
  return 'http_bad_request';
}

// Node puts the code on the error itself, on its cause, or, when it tried several addresses
// (IPv4 and IPv6 for "localhost"), on each error inside an AggregateError.
function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;

  const nested = Array.isArray(errors) ? errors : [cause];
  for (const inner of nested) {
    const found = errorCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
