export const REDACTED = 'REDACTED';

// Names of query parameters, form fields and headers whose values are credentials. `code` is
// the OAuth authorisation code; `sig` and `signature` sign pre-authorised download links.
const SECRET_NAMES = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'school_token',
  'api_?key',
  'key',
  'client_secret',
  'secret',
  'password',
  'passwd',
  'signature',
  'sig',
  'code',
];
const SECRET_NAME = new RegExp(`^(${SECRET_NAMES.join('|')})$`, 'i');

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|.+-(key|token|secret))$/i;

const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi;

// A JSON field such as "access_token": "…" in an echoed token response or request. Error
// bodies use "code" and "key" for error codes and field names, which are worth keeping.
const JSON_SECRET_NAMES = SECRET_NAMES.filter((name) => !['code', 'key', 'sig'].includes(name));
const JSON_SECRET_FIELD = new RegExp(
  `("(?:${JSON_SECRET_NAMES.join('|')})"\\s*:\\s*")[^"]*"`,
  'gi',
);

// Shorter values are not credentials, and replacing them would shred the rest of the text.
const MIN_SECRET_LENGTH = 4;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** Removes userinfo and credential query parameters, then any known secret left in the path. */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url, secrets);
  }

  if (parsed.username) parsed.username = REDACTED;
  if (parsed.password) parsed.password = REDACTED;
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretName(name)) parsed.searchParams.set(name, REDACTED);
  }
  return redactText(parsed.toString(), secrets);
}

/** Replaces bearer and basic credentials, credential JSON fields and every known secret. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let safe = text.replace(BEARER, `$1 ${REDACTED}`).replace(JSON_SECRET_FIELD, `$1${REDACTED}"`);
  for (const secret of secretForms(secrets)) safe = safe.replaceAll(secret, REDACTED);
  return safe;
}

/**
 * The credentials inside a header value: the whole value, the part after the scheme and, for
 * Basic, the decoded user and password. Wonde accepts `Basic base64(token:)`, so the user
 * half can itself be the token.
 */
export function headerSecrets(value: string): string[] {
  const [scheme, credential] = value.split(/\s+/, 2);
  if (!credential) return [value];
  if (scheme?.toLowerCase() !== 'basic') return [value, credential];

  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  return [value, credential, ...decoded.split(':')];
}

// A secret can reach a body or URL percent-encoded, or JSON-escaped (PHP escapes `/`).
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    const json = JSON.stringify(secret).slice(1, -1);
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
    forms.add(json);
    forms.add(json.replaceAll('/', '\\/'));
  }
  // Longest first, so that a secret containing another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}
