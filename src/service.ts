import type { FastifyInstance } from 'fastify';
import { type Config, ConfigError, loadConfig } from './config/index.ts';
import { type ServiceContext, systemClock } from './context.ts';
import { openDatabase } from './db/index.ts';
import { createLogger, type Logger } from './logging.ts';
import { embeddedSecretKey, SecretsError } from './security/secrets.ts';
import { seedReferenceData } from './trust/seed.ts';
import { buildApp } from './web/app.ts';

/**
 * Starting and stopping the whole service: configuration, database, reference data, the HTTP app
 * and its schedules. `npm start` and `npm run demo` both come through here.
 */

export interface RunningService {
  app: FastifyInstance;
  context: ServiceContext;
  address: string;
  stop(reason: string): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const secretKey = config.secretKey ?? embeddedSecretKey(config.dataDir);
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const context: ServiceContext = { config, database, logger, secretKey, clock: systemClock };

  let app: FastifyInstance;
  try {
    await seedReferenceData(database.db, context.clock.today());
    app = await buildApp(context);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await database.close();
    throw error;
  }

  let stopping: Promise<void> | null = null;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'service stopping');
      // Closing the app stops the schedules and waits for in-flight requests and runs.
      await app.close();
      await database.close();
      logger.info({ reason }, 'service stopped');
    })();
    return stopping;
  };

  const address = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  logger.info({ address, database: database.engine }, 'service started');
  return { app, context, address, stop };
}

/** Reads the configuration, or prints one clear line and exits with 1. */
export function configOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message);
    throw error;
  }
}

/** Runs the service until SIGTERM or SIGINT, then shuts it down cleanly. */
export async function runUntilSignalled(start: () => Promise<RunningService>, logger: Logger) {
  let service: RunningService;
  try {
    service = await start();
  } catch (error) {
    exitWith(startFailure(error));
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service
        .stop(signal)
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    });
  }
  return service;
}

export { createLogger };

function startFailure(error: unknown): string {
  if (error instanceof SecretsError) return `Cannot start: ${error.message}`;
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') {
    return `Cannot start: the database did not answer (${code}). Check DATABASE_URL.`;
  }
  if (code === 'EADDRINUSE') return 'Cannot start: the port is already in use. Set PORT.';
  if (code === '28P01' || code === '28000') {
    return 'Cannot start: the database refused the user or password in DATABASE_URL.';
  }
  if (code === '3D000') return 'Cannot start: the database named in DATABASE_URL does not exist.';
  const message = error instanceof Error ? error.message : String(error);
  return `Cannot start: ${message.split('\n')[0]}`;
}

function exitWith(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}
