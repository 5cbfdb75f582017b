import { z } from 'zod';

/**
 * The service's configuration, read once from the environment at start-up. A bad value stops the
 * process with one line naming the variable; nothing else reads `process.env`.
 */

const port = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value));

const positiveInt = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .positive('must be greater than 0');

const secretKey = z.string().refine((value) => decodeSecretKey(value) !== null, {
  message: 'must be 32 bytes written as 64 hex characters or as base64',
});

const databaseUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value), {
  message: 'must be a PostgreSQL URL such as postgres://user@host:5432/name',
});

const environment = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
    DATABASE_URL: databaseUrl.optional(),
    DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
    SECRET_KEY: secretKey.optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    /** Set to false behind plain HTTP on a developer's machine only. */
    COOKIE_SECURE: flag.default(true),
    SESSION_HOURS: positiveInt.default(12),
    SCHEDULER: flag.default(true),
    RAW_RETENTION_DAYS: positiveInt.default(90),
    SUPPRESSION_THRESHOLD: positiveInt.default(5),
    MAX_UPLOAD_MB: positiveInt.default(100),
  })
  .superRefine((env, ctx) => {
    if (env.DATABASE_URL && !env.SECRET_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SECRET_KEY'],
        message:
          'is required with DATABASE_URL (generate one with `openssl rand -hex 32`), so that ' +
          'connector secrets can be decrypted by every instance',
      });
    }
  });

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  /** Decoded key, or null on the embedded database until one is made in DATA_DIR. */
  secretKey: Buffer | null;
  logLevel: string;
  cookieSecure: boolean;
  sessionHours: number;
  schedulerEnabled: boolean;
  rawRetentionDays: number;
  suppressionThreshold: number;
  maxUploadBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the configuration, or throws a ConfigError whose message is one line per bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const got = present[name];
      const shown = got === undefined || name === 'SECRET_KEY' || name === 'DATABASE_URL';
      return `Configuration error: ${name} ${issue.message}${shown ? '' : ` (got "${got}")`}.`;
    });
    throw new ConfigError(lines.join('\n'));
  }

  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.DATA_DIR,
    secretKey: e.SECRET_KEY ? decodeSecretKey(e.SECRET_KEY) : null,
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE,
    sessionHours: e.SESSION_HOURS,
    schedulerEnabled: e.SCHEDULER,
    rawRetentionDays: e.RAW_RETENTION_DAYS,
    suppressionThreshold: e.SUPPRESSION_THRESHOLD,
    maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
  };
}

export function decodeSecretKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/=_-]+$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? bytes : null;
}
