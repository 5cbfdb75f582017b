/**
 * OneRoster's failure answers. The 1.2 OpenAPI describes a bare `imsx_StatusInfoDType`; some
 * providers wrap it as `{"imsx_StatusInfo": {…}}` and some 1.1 providers send
 * `{"statusInfoSet": [{…}]}` (research A.5), so all three are read. OAuth token endpoints answer
 * in RFC 6749's own `{"error", "error_description"}` shape.
 */

export interface StatusInfo {
  /** `success`, `processing`, `failure` or `unsupported`. */
  codeMajor: string | null;
  description: string | null;
  /** `imsx_codeMinorFieldValue`s, such as `unknownobject` or `invalid_filter_field`. */
  codeMinor: string[];
}

export interface OAuthError {
  error: string;
  description: string | null;
}

// Longer server wording is cut: it goes into a message a data lead reads.
const MAX_DESCRIPTION = 200;

/** The status info in a body, or null when the body carries none. */
export function readStatusInfo(text: string | undefined): StatusInfo | null {
  if (!text) return null;
  const parsed = parseJson(text);
  if (parsed === undefined) return scrapeStatusInfo(text);

  const object = statusObject(parsed);
  if (!object) return null;
  return {
    codeMajor: stringField(object, 'codeMajor'),
    description: shorten(stringField(object, 'description')),
    codeMinor: codeMinorValues(object),
  };
}

/** True for a status info that reports a failure rather than success. */
export function isFailure(info: StatusInfo | null): boolean {
  return info !== null && info.codeMajor !== null && info.codeMajor !== 'success';
}

export function readOAuthError(text: string | undefined): OAuthError | null {
  if (!text) return null;
  const parsed = parseJson(text);
  if (isRecord(parsed) && typeof parsed.error === 'string') {
    const description = parsed.error_description;
    return {
      error: parsed.error,
      description: shorten(typeof description === 'string' ? description : null),
    };
  }
  const scraped = /"error"\s*:\s*"([a-z_]+)"/.exec(text);
  return scraped ? { error: scraped[1]!, description: null } : null;
}

/** A short clause for a message: the server's own description and minor codes. */
export function statusClause(info: StatusInfo | null): string {
  if (!info) return '';
  const parts = [info.description, ...info.codeMinor]
    .map((part) => part?.replace(/[.\s]+$/, '') ?? '')
    .filter((part) => part !== '');
  return parts.length > 0 ? ` The server said: "${parts.join('; ')}".` : '';
}

function statusObject(value: unknown): Record<string, unknown> | null {
  if (!isRecord(value)) return null;
  if (isRecord(value.imsx_StatusInfo)) return value.imsx_StatusInfo;
  if (Array.isArray(value.statusInfoSet) && isRecord(value.statusInfoSet[0])) {
    return value.statusInfoSet[0];
  }
  if (isRecord(value.statusInfoSet)) return value.statusInfoSet;
  return 'imsx_codeMajor' in value || 'codeMajor' in value ? value : null;
}

// 1.1 providers are not consistent about the `imsx_` prefix, so both spellings are read.
function stringField(object: Record<string, unknown>, name: string): string | null {
  const value = object[`imsx_${name}`] ?? object[name];
  return typeof value === 'string' ? value : null;
}

function codeMinorValues(object: Record<string, unknown>): string[] {
  const minor = object.imsx_CodeMinor ?? object.imsx_codeMinor ?? object.codeMinor;
  const fields = isRecord(minor) ? (minor.imsx_codeMinorField ?? minor.codeMinorField) : minor;
  const list = Array.isArray(fields) ? fields : [fields];
  return list
    .map((field) =>
      isRecord(field) ? (field.imsx_codeMinorFieldValue ?? field.codeMinorFieldValue) : null,
    )
    .filter((value): value is string => typeof value === 'string');
}

// An error excerpt is cut at a few hundred characters, so a long description can leave the
// JSON unfinished; the codes are still worth reading from what arrived.
function scrapeStatusInfo(text: string): StatusInfo | null {
  const major = /"(?:imsx_)?codeMajor"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? null;
  const minor = [...text.matchAll(/"(?:imsx_)?codeMinorFieldValue"\s*:\s*"([^"]*)"/g)].map(
    (match) => match[1]!,
  );
  if (major === null && minor.length === 0) return null;
  const description = /"(?:imsx_)?description"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? null;
  return { codeMajor: major, description: shorten(description), codeMinor: minor };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

function shorten(text: string | null): string | null {
  if (text === null) return null;
  const trimmed = text.trim();
  return trimmed.length > MAX_DESCRIPTION ? `${trimmed.slice(0, MAX_DESCRIPTION)}…` : trimmed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
