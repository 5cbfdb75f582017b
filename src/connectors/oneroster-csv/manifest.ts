import type { PullEvent, RecordProblem } from '../contract.ts';
import { csvRows } from './csv.ts';
import { OneRosterZipError } from './errors.ts';
import type { OneRosterVersion, ReadFile } from './headers.ts';
import { fileProblem, locate, rowProblem } from './problems.ts';
import type { OpenedZip } from './zip.ts';

export type FileMode = 'bulk' | 'delta';

/** What the package says it holds, checked against what the zip really holds. */
export interface Manifest {
  version: OneRosterVersion;
  /** The files this connector reads that are declared and present, with their mode. */
  modes: ReadonlyMap<ReadFile, FileMode>;
  /** Declared files this connector reads that the zip lacks: the pull cannot be complete. */
  missing: readonly ReadFile[];
  problems: RecordProblem[];
  events: PullEvent[];
}

export const MANIFEST = 'manifest.csv';
const MAX_MANIFEST_BYTES = 64 * 1024;

/** The `file.*` properties of each version (research A.6). */
const FILES: Record<OneRosterVersion, readonly string[]> = {
  '1.1': [
    'academicSessions',
    'categories',
    'classes',
    'classResources',
    'courses',
    'courseResources',
    'demographics',
    'enrollments',
    'lineItems',
    'orgs',
    'resources',
    'results',
    'users',
  ],
  '1.2': [
    'academicSessions',
    'categories',
    'classes',
    'classResources',
    'courseResources',
    'courses',
    'demographics',
    'enrollments',
    'lineItemLearningObjectiveIds',
    'lineItems',
    'lineItemScoreScales',
    'orgs',
    'resources',
    'resultLearningObjectiveIds',
    'results',
    'resultScoreScales',
    'roles',
    'scoreScales',
    'userProfiles',
    'userResources',
    'users',
    // Not in the 1.2 manifest list: the Assessment Results Profile pair, read where an
    // exporter declares them (research A.4, unverified).
    'assessmentLineItems',
    'assessmentResults',
  ],
};

const READ: Record<OneRosterVersion, readonly ReadFile[]> = {
  '1.1': ['users', 'demographics', 'academicSessions', 'categories', 'lineItems', 'results'],
  '1.2': [
    'users',
    'roles',
    'demographics',
    'academicSessions',
    'categories',
    'lineItems',
    'results',
    'scoreScales',
    'lineItemScoreScales',
    'assessmentLineItems',
    'assessmentResults',
  ],
};

/** Reads manifest.csv, which must sit at the top of the zip (research A.8). */
export async function readManifest(zip: OpenedZip): Promise<Manifest> {
  if (!zip.paths.has(MANIFEST)) throw noManifest(zip);
  const location = locate(zip.name, MANIFEST);
  const properties = await readProperties(zip, location);

  const version = versionOf(location, properties.get('oneroster.version'));
  const modes = new Map<ReadFile, FileMode>();
  const missing: ReadFile[] = [];
  const problems: RecordProblem[] = [];
  const events: PullEvent[] = [];
  const declared = new Set<string>();

  for (const [key, { value, row }] of properties) {
    if (!key.startsWith('file.')) continue;
    const file = key.slice('file.'.length);
    const mode = value.toLowerCase();
    if (!FILES[version].includes(file)) {
      events.push(unknownFile(location, file, version));
      continue;
    }
    if (mode !== 'bulk' && mode !== 'delta' && mode !== 'absent') {
      problems.push(badMode(location, row, key, value));
      continue;
    }
    if (mode === 'absent') continue;
    declared.add(file);
    if (!isRead(version, file)) continue;
    if (zip.paths.has(`${file}.csv`)) modes.set(file, mode);
    else {
      missing.push(file);
      problems.push(missingFile(zip.name, file, mode));
    }
  }
  for (const file of READ[version]) {
    if (!declared.has(file) && zip.paths.has(`${file}.csv`)) {
      problems.push(undeclaredFile(zip.name, file));
    }
  }
  return { version, modes, missing, problems, events };
}

interface Property {
  value: string;
  row: number;
}

async function readProperties(zip: OpenedZip, location: string) {
  const properties = new Map<string, Property>();
  let bytes = 0;
  try {
    for await (const { row, cells, raw } of csvRows(await zip.read(MANIFEST))) {
      bytes += raw.length;
      if (bytes > MAX_MANIFEST_BYTES) throw unreadable(location, 'it is far too long');
      const [name = '', value = ''] = cells.map((cell) => cell.trim());
      if (row === 1) {
        if (name !== 'propertyName' || value !== 'value') {
          throw unreadable(location, 'its header row is not "propertyName,value"');
        }
        continue;
      }
      if (name !== '') properties.set(name, { value, row });
    }
  } catch (error) {
    if (error instanceof OneRosterZipError) throw error;
    throw unreadable(location, 'it is not valid CSV');
  }
  return properties;
}

/** "1.2.1" is the correction level of the 1.2 CSV binding, which still declares 1.2 (A.6). */
function versionOf(location: string, property: Property | undefined): OneRosterVersion {
  const value = property?.value ?? '';
  if (value === '1.1') return '1.1';
  if (value === '1.2' || value === '1.2.1') return '1.2';
  const said = value === '' ? 'does not say which OneRoster version' : `says version "${value}"`;
  throw new OneRosterZipError(
    'version_unsupported',
    location,
    `manifest.csv ${said}; only OneRoster 1.1 and 1.2 CSV packages can be read. Export the ` +
      'package as OneRoster 1.1 or 1.2.',
  );
}

function isRead(version: OneRosterVersion, file: string): file is ReadFile {
  return (READ[version] as readonly string[]).includes(file);
}

function noManifest(zip: OpenedZip): OneRosterZipError {
  const elsewhere = [...zip.paths].find((path) => /(^|\/)manifest\.csv$/i.test(path));
  const detail = elsewhere
    ? `manifest.csv is at "${elsewhere}", not at the top of the zip: zip the files ` +
      'themselves, not the folder that holds them, and upload it again.'
    : 'there is no manifest.csv, which every OneRoster CSV package carries to say its ' +
      'version and files. Upload the zip the export produced, unchanged.';
  return new OneRosterZipError('manifest_missing', zip.name, `In "${zip.name}", ${detail}`);
}

function unreadable(location: string, why: string): OneRosterZipError {
  return new OneRosterZipError(
    'manifest_unreadable',
    location,
    `${location} cannot be read: ${why}. Upload the zip the export produced, unchanged.`,
  );
}

function unknownFile(location: string, file: string, version: OneRosterVersion): PullEvent {
  return {
    level: 'warn',
    code: 'manifest_property_unknown',
    message:
      `${location} declares file.${file}, which OneRoster ${version} does not have; ` +
      'that file was not read.',
  };
}

function badMode(location: string, row: number, key: string, value: string): RecordProblem {
  return rowProblem(
    location,
    row,
    'value',
    'manifest_property_unknown',
    `${key} is "${value}", where it must be bulk, delta or absent, so the file was not read.`,
  );
}

function missingFile(zipName: string, file: string, mode: FileMode): RecordProblem {
  return fileProblem(
    locate(zipName, `${file}.csv`),
    'file_missing',
    `manifest.csv declares ${file}.csv (${mode}), but the zip has no ${file}.csv at its top, ` +
      'so nothing from it was read. Export the package again with every file it declares.',
  );
}

function undeclaredFile(zipName: string, file: string): RecordProblem {
  return fileProblem(
    locate(zipName, `${file}.csv`),
    'file_undeclared',
    `${file}.csv is in the zip, but manifest.csv does not declare it as bulk or delta, so it ` +
      'was not read. Export the package again so that the manifest lists every file.',
  );
}
