import type { Expect } from './body.ts';
import { ConnectorError } from './errors.ts';
import type { HttpClientOptions, HttpMethod, QueryValue, RequestBase } from './options.ts';
import { headerSecrets, isSecretHeader, isSecretName } from './redact.ts';
import type { Exchange } from './send.ts';

const USER_AGENT = 'next-steps-sync';

const ACCEPT: Record<Expect | 'stream', string | undefined> = {
  json: 'application/json',
  text: undefined,
  buffer: undefined,
  stream: undefined,
};

interface Payload {
  body: string | Uint8Array | undefined;
  contentType: string | undefined;
}

/** Turns a connector's request into one the retry loop can send, with its secrets listed. */
export function prepareExchange(
  request: RequestBase,
  expect: Expect | 'stream',
  options: HttpClientOptions,
): Exchange {
  const url = buildUrl(request, options);
  const payload = encodePayload(request);
  const method = request.method ?? (payload.body === undefined ? 'GET' : 'POST');
  const headers = mergeHeaders(options.defaultHeaders, request.headers, {
    'user-agent': USER_AGENT,
    accept: ACCEPT[expect],
    'content-type': payload.contentType,
  });

  return {
    method,
    url: url.toString(),
    headers,
    body: payload.body,
    idempotent: request.idempotent ?? isSafeMethod(method),
    signal: request.signal,
    secrets: collectSecrets(options, request, headers, url),
    describe: request.describe,
  };
}

function isSafeMethod(method: HttpMethod): boolean {
  return method === 'GET' || method === 'HEAD';
}

function buildUrl(request: RequestBase, options: HttpClientOptions): URL {
  let url: URL;
  try {
    url = new URL(request.url, options.baseUrl);
  } catch (cause) {
    throw invalidUrl(request, options, 'it cannot be read as an address', cause);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidUrl(request, options, `it starts with ${url.protocol}`);
  }

  for (const [name, value] of Object.entries(request.query ?? {})) appendQuery(url, name, value);
  return url;
}

function invalidUrl(
  request: RequestBase,
  options: HttpClientOptions,
  detail: string,
  cause?: unknown,
): ConnectorError {
  return new ConnectorError({
    code: 'invalid_url',
    system: options.system,
    url: request.url,
    attempts: 0,
    detail,
    cause,
    secrets: options.secrets,
  });
}

function appendQuery(url: URL, name: string, value: QueryValue): void {
  if (value === undefined || value === null) return;
  const values = Array.isArray(value) ? value : [value];
  for (const single of values) url.searchParams.append(name, String(single));
}

function encodePayload(request: RequestBase): Payload {
  const given = [request.body, request.json, request.form].filter((part) => part !== undefined);
  if (given.length > 1) throw new TypeError('give at most one of body, json and form');

  if (request.json !== undefined) {
    return { body: JSON.stringify(request.json), contentType: 'application/json' };
  }
  if (request.form !== undefined) {
    const body = new URLSearchParams(request.form).toString();
    return { body, contentType: 'application/x-www-form-urlencoded' };
  }
  return { body: request.body, contentType: undefined };
}

// Header names are case-insensitive; lower-casing them lets a request override a default
// ("Authorization" over "authorization") instead of sending both. Our own headers are only
// fallbacks, and an undefined value removes a header.
function mergeHeaders(
  defaults: Record<string, string> | undefined,
  given: Record<string, string | undefined> | undefined,
  fallbacks: Record<string, string | undefined>,
): Record<string, string> {
  const merged: Record<string, string | undefined> = {};
  for (const source of [fallbacks, defaults, given]) {
    for (const [name, value] of Object.entries(source ?? {})) merged[name.toLowerCase()] = value;
  }
  return Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function collectSecrets(
  options: HttpClientOptions,
  request: RequestBase,
  headers: Record<string, string>,
  url: URL,
): string[] {
  const secrets = [...(options.secrets ?? []), ...(request.secrets ?? [])];
  for (const [name, value] of Object.entries(headers)) {
    if (isSecretHeader(name)) secrets.push(...headerSecrets(value));
  }
  for (const [name, value] of [...url.searchParams, ...Object.entries(request.form ?? {})]) {
    if (isSecretName(name)) secrets.push(value);
  }
  if (url.username) secrets.push(decodeURIComponent(url.username));
  if (url.password) secrets.push(decodeURIComponent(url.password));
  return secrets;
}
