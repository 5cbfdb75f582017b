import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ZodType } from 'zod';
import { type Expect, parseBody, peekStream, readAll } from './body.ts';
import { networkFailure } from './classify.ts';
import type { OnSuccess } from './send.ts';

/** A successful answer as read, before the client adds the URL and the attempts. */
export interface Answer<T> {
  status: number;
  headers: IncomingHttpHeaders;
  empty: boolean;
  body: T;
}

const BODYLESS = new Set([204, 205, 304]);

/** Reads the whole body and parses it; a body cut short is a failure the loop retries. */
export function readBuffered(
  expect: Expect,
  schema: ZodType | undefined,
  method: string,
): OnSuccess<Answer<unknown>> {
  return async (response, release) => {
    const { statusCode: status, headers } = response;
    try {
      if (hasNoBody(status, method)) {
        await response.body.dump();
        return { ok: true, value: { status, headers, empty: true, body: undefined } };
      }
      const buffer = await readAll(response.body);
      const parsed = parseBody(buffer, expect, schema, first(headers['content-type']));
      if (!parsed.ok) return parsed;
      return { ok: true, value: { status, headers, empty: false, body: parsed.value } };
    } catch (error) {
      return { ok: false, failure: networkFailure(error, 'body') };
    } finally {
      release();
    }
  };
}

/** Holds the answer back until its first chunk arrives, then hands over the stream. */
export function readStream(
  method: string,
  wordError: (error: unknown, attempts: number) => Error,
): OnSuccess<Answer<Readable>> {
  return async (response, release, attempt) => {
    const { statusCode: status, headers } = response;
    try {
      if (hasNoBody(status, method)) {
        await response.body.dump();
        release();
        const body = Readable.from([], { objectMode: false });
        return { ok: true, value: { status, headers, empty: true, body } };
      }
      const body = await peekStream(response.body, (error) => wordError(error, attempt));
      body.once('close', release);
      return { ok: true, value: { status, headers, empty: false, body } };
    } catch (error) {
      release();
      return { ok: false, failure: networkFailure(error, 'body') };
    }
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function hasNoBody(status: number, method: string): boolean {
  return BODYLESS.has(status) || method === 'HEAD';
}
