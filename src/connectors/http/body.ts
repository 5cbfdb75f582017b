import { Readable } from 'node:stream';
import type { ZodType } from 'zod';
import type { Failure } from './classify.ts';
import { redactText } from './redact.ts';

export type Expect = 'json' | 'text' | 'buffer';

/** What a parse gives: the value, or the failure to report. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; failure: Failure };

const EXCERPT_CHARS = 300;
// An error page is read this far and no further: enough for any excerpt, and a 50 MB HTML
// page from a misconfigured proxy is not downloaded just to be thrown away.
const ERROR_BODY_LIMIT = 64 * 1024;

export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The start of an error body; `cut` says the rest was left unread. */
export interface ErrorBody {
  text: string;
  cut: boolean;
}

/** Reads the start of an error body for the excerpt; a failure to read only loses the excerpt. */
export async function readErrorBody(body: Readable): Promise<ErrorBody> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= ERROR_BODY_LIMIT) break;
    }
  } catch {
    // The excerpt is a courtesy; the status already says what happened.
  }
  body.destroy();
  const text = Buffer.concat(chunks).subarray(0, ERROR_BODY_LIMIT).toString('utf8');
  return { text, cut: size >= ERROR_BODY_LIMIT };
}

/**
 * The first few hundred characters, redacted before they are cut: cutting first could leave
 * half a token at the edge, where no replacement would recognise it. For the same reason a
 * body read only in part loses its last characters, where a secret may have been split.
 */
export function excerpt(body: ErrorBody, secrets: readonly string[]): string {
  const longest = Math.max(0, ...secrets.map((secret) => secret.length));
  const whole = body.cut ? body.text.slice(0, body.text.length - longest) : body.text;
  return redactText(whole, secrets).slice(0, EXCERPT_CHARS);
}

export function parseBody(
  buffer: Buffer,
  expect: Expect,
  schema: ZodType | undefined,
  contentType: string | undefined,
): Parsed<unknown> {
  if (expect === 'buffer') return { ok: true, value: buffer };
  const text = buffer.toString('utf8');
  if (expect === 'text') return { ok: true, value: text };

  const json = parseJson(text, contentType);
  if (!json.ok || !schema) return json;
  return validate(json.value, schema);
}

function parseJson(text: string, contentType: string | undefined): Parsed<unknown> {
  // Strip a byte-order mark: some Windows-hosted systems send one before the JSON.
  const source = text.replace(/^\uFEFF/, '');
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch {
    return { ok: false, failure: invalidJson(source, contentType) };
  }
}

// No cause: V8's JSON error quotes the text around the fault, which may hold pupil data. The
// excerpt is kept only when the body does not look like JSON (an HTML login or maintenance
// page); broken JSON from a roster endpoint may hold pupil names, so it stays out of errors.
function invalidJson(text: string, contentType: string | undefined): Failure {
  const looksLikeJson = /^\s*[[{]/.test(text);
  return {
    code: 'invalid_json',
    retryable: false,
    detail: text.trim() === '' ? 'an empty answer' : (contentType ?? 'no content type'),
    body: looksLikeJson ? undefined : { text, cut: false },
  };
}

function validate(value: unknown, schema: ZodType): Parsed<unknown> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };

  const issue = result.error.issues[0];
  const where = formatPath(issue?.path ?? []);
  return {
    ok: false,
    failure: {
      code: 'schema_mismatch',
      retryable: false,
      detail: `at ${where}: ${issue?.message ?? 'invalid'}`,
    },
  };
}

/** A zod path as a reader writes it: `data[3].upi`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the top level';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      return index === 0 ? String(key) : `.${String(key)}`;
    })
    .join('');
}

/**
 * Waits for the first chunk, so that a connection dropped straight after the headers is still
 * retried, then hands over a stream that replays it. `onError` words any later failure.
 */
export async function peekStream(
  body: Readable,
  onError: (error: unknown) => Error,
): Promise<Readable> {
  const chunks = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const first = await chunks.next();

  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      if (first.done) return;
      yield first.value;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        yield next.value;
      }
    } catch (error) {
      throw onError(error);
    }
  }
  // Destroying a stream that was never read does not run the generator at all, so the
  // connection is freed on close rather than in a `finally`.
  const stream = Readable.from(replay(), { objectMode: false });
  stream.once('close', () => body.destroy());
  return stream;
}
