import type { Config } from './config/index.ts';
import type { Database } from './db/index.ts';
import type { Logger } from './logging.ts';

/** What the service's parts share: made once in `main`, or by a test. */
export interface ServiceContext {
  config: Config;
  database: Database;
  logger: Logger;
  /** The key that seals connector secrets (from SECRET_KEY, or DATA_DIR on PGlite). */
  secretKey: Buffer;
  /** Today and now, injectable so that tests can stand on a given day of the school year. */
  clock: { now(): Date; today(): string };
}

export const systemClock = {
  now: () => new Date(),
  today: () => new Date().toISOString().slice(0, 10),
};
