import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The process log. Secrets and pupil names never reach it: these paths are censored wherever a
 * caller puts them, and code logs ids rather than people. What users must see about a sync run is
 * stored with the run, not only logged here.
 */
export const REDACTED_PATHS = [
  'password',
  'token',
  'secret',
  'secrets',
  'accessToken',
  'clientSecret',
  'apiKey',
  'authorization',
  'cookie',
  'firstName',
  'lastName',
  'dateOfBirth',
  '*.password',
  '*.token',
  '*.secret',
  '*.secrets',
  '*.accessToken',
  '*.clientSecret',
  '*.apiKey',
  '*.authorization',
  '*.cookie',
  '*.firstName',
  '*.lastName',
  '*.dateOfBirth',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  // @fastify/multipart logs the request's headers at trace level when it starts on an upload.
  'busboyOptions.headers.authorization',
  'busboyOptions.headers.cookie',
  'busboyOptions.headers["x-csrf-token"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'next-steps-sync' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
