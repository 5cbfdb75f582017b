import type { Db } from '../db/index.ts';
import type { Logger } from '../logging.ts';

/** What the sync engine runs with: made once per service instance. */
export interface Engine {
  db: Db;
  secretKey: Buffer;
  logger: Logger;
  clock: { now(): Date; today(): string };
  /** This instance's name in run leases. */
  owner: string;
  leaseMs: number;
  rawRetentionDays: number;
}
