import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIGRATIONS_FOLDER, openDatabase } from '../../src/db/index.ts';
import { type TestDatabase, testDatabase, testServerUrl } from '../support/database.ts';

/**
 * The database of one fault file. On PostgreSQL, a new database on the test server. On PGlite,
 * a copy of an embedded database migrated once and kept in the temporary folder: making one
 * from nothing costs each file ten seconds and more on a busy machine, opening a copy under one.
 */

export interface FaultDatabase extends TestDatabase {
  /** Where the embedded database keeps its files, for a service process to open; null on PostgreSQL. */
  dataDir: string | null;
  /** Closes this handle and keeps the files, so that another process may open them. */
  letGo(): Promise<void>;
}

export async function faultDatabase(): Promise<FaultDatabase> {
  if (testServerUrl) {
    const database = await testDatabase();
    return { ...database, dataDir: null, letGo: async () => {} };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'nss-faults-'));
  cpSync(await migratedTemplate(), dataDir, { recursive: true });
  const database = await openDatabase({ url: null, dataDir });
  let open = true;
  const letGo = async () => {
    if (open) await database.close();
    open = false;
  };
  return {
    ...database,
    url: null,
    dataDir,
    letGo,
    close: async () => {
      await letGo();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A migrated embedded database named after the migrations it holds, made by whichever file asks first. */
async function migratedTemplate(): Promise<string> {
  const template = path.join(tmpdir(), `nss-faults-template-${migrationsDigest()}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(`${template}-building-`);
  const database = await openDatabase({ url: null, dataDir: building });
  await database.close();
  try {
    renameSync(building, template);
  } catch {
    // Another file finished its template first: use that one.
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

function migrationsDigest(): string {
  const hash = createHash('sha256');
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const file = path.join(folder, entry.name);
      hash.update(entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(readFileSync(file));
    }
  };
  walk(MIGRATIONS_FOLDER);
  return hash.digest('hex').slice(0, 16);
}
