import iconv from 'iconv-lite';
import { describe, expect, test } from 'vitest';
import {
  OneRosterZipError,
  oneRosterCsvConnector,
  oneRosterCsvSecretsSchema,
} from '../../../src/connectors/oneroster-csv/index.ts';
import { collectPull, type PullOutcome } from '../support.ts';
import { bulkFiles, manifest, toCsv } from './fixtures/package.ts';
import { BAD_DATES, BROOK_STREET, school, UNKNOWN_ROLE_ROW } from './fixtures/schools.ts';
import { writeZip } from './fixtures/zip-writer.ts';
import { config, problemKeys, pullFixture } from './helpers.ts';

const brook = school(BROOK_STREET);

/** A pull that failed at once: what it threw, with nothing sent before. */
function refusal(outcome: PullOutcome) {
  expect(outcome.checkpoints).toEqual([]);
  expect(outcome.error).toBeInstanceOf(OneRosterZipError);
  const error = outcome.error as OneRosterZipError;
  return {
    reason: error.reason,
    code: error.code,
    category: error.category,
    message: error.message,
  };
}

describe('a package that cannot be read at all is refused with what to do', () => {
  test('when it has no manifest.csv', async () => {
    expect(refusal(await pullFixture('no-manifest.zip'))).toEqual({
      reason: 'manifest_missing',
      code: 'schema_mismatch',
      category: 'bad_data',
      message:
        'In "no-manifest.zip", there is no manifest.csv, which every OneRoster CSV package ' +
        'carries to say its version and files. Upload the zip the export produced, unchanged.',
    });
  });

  test('when its files were zipped inside a folder, saying where manifest.csv is', async () => {
    expect(refusal(await pullFixture('manifest-in-folder.zip'))).toMatchObject({
      reason: 'manifest_missing',
      message:
        'In "manifest-in-folder.zip", manifest.csv is at "export/manifest.csv", not at the ' +
        'top of the zip: zip the files themselves, not the folder that holds them, and upload ' +
        'it again.',
    });
  });

  test('when it was cut short', async () => {
    expect(refusal(await pullFixture('truncated.zip'))).toEqual({
      reason: 'zip_truncated',
      code: 'truncated_body',
      category: 'bad_data',
      message:
        '"truncated.zip" is not a complete zip: it may have been cut short while uploading or ' +
        'copying. Upload it again; if that does not help, export it again.',
    });
  });

  test('when a file in it declares more than the limit, before anything is unpacked', async () => {
    expect(refusal(await pullFixture('zip-bomb.zip'))).toEqual({
      reason: 'zip_too_large',
      code: 'schema_mismatch',
      category: 'bad_data',
      message:
        '"results.csv" in "zip-bomb.zip" says it unpacks to 3840 MB, more than the 512 MB ' +
        'allowed for one file, so the zip was not opened. A zip that claims to unpack to far ' +
        'more than it holds is how a "zip bomb" attacks a server; export the data again and ' +
        'tell the supplier.',
    });
  });

  test('when it holds more files than the limit, before they are listed', async () => {
    const outcome = await pullFixture('bulk-1.2.zip', { settings: { limits: { entries: 5 } } });
    expect(refusal(outcome)).toMatchObject({
      reason: 'zip_too_many_entries',
      message:
        '"bulk-1.2.zip" holds 13 files; a OneRoster export holds a few dozen at most (limit 5), ' +
        "so it was not opened. Upload the export's own zip, unchanged.",
    });
  });

  test('when the upload is larger than the limit, before it is read', async () => {
    const outcome = await pullFixture('bulk-1.2.zip', { settings: { limits: { zipBytes: 4096 } } });
    expect(refusal(outcome).reason).toBe('zip_too_large');
  });

  test('when the upload is not a zip', async () => {
    const bytes = Buffer.from(toCsv(bulkFiles(BROOK_STREET, brook, '1.2')['users.csv']!));
    expect(refusal(await pullFixture('users.csv', { bytes }))).toMatchObject({
      reason: 'not_a_zip',
      message:
        '"users.csv" is not a zip file. Upload the zip that the OneRoster export produced, not ' +
        'one of the CSV files inside it.',
    });
  });

  test('when its manifest declares a version other than 1.1 or 1.2', async () => {
    const files = bulkFiles(BROOK_STREET, brook, '1.2');
    const rows = manifest('1.2', { users: 'bulk' }).map((cells) =>
      cells[0] === 'oneroster.version' ? ['oneroster.version', '1.0'] : cells,
    );
    const bytes = writeZip([
      { name: 'manifest.csv', data: toCsv(rows) },
      { name: 'users.csv', data: toCsv(files['users.csv']!) },
    ]);
    expect(refusal(await pullFixture('old.zip', { bytes }))).toMatchObject({
      reason: 'version_unsupported',
      message:
        'manifest.csv says version "1.0"; only OneRoster 1.1 and 1.2 CSV packages can be ' +
        'read. Export the package as OneRoster 1.1 or 1.2.',
    });
  });

  test('when no zip was uploaded for the run', async () => {
    const outcome = await collectPull(oneRosterCsvConnector, { config: config(), secrets: {} });
    expect(refusal(outcome)).toMatchObject({ reason: 'upload_missing', category: 'bad_data' });
  });
});

describe('a package with a broken part reports it, and the valid rest comes through', () => {
  test('a file the manifest declares but the zip lacks', async () => {
    const outcome = await pullFixture('missing-file.zip');

    expect(outcome.error).toBeNull();
    expect(problemKeys(outcome)).toEqual(['missing-file.zip/results.csv - - file_missing']);
    expect(outcome.problems[0]!.message).toBe(
      'manifest.csv declares results.csv (bulk), but the zip has no results.csv at its top, ' +
        'so nothing from it was read. Export the package again with every file it declares.',
    );
    expect(outcome.pupils).toHaveLength(brook.pupils.length);
    expect(outcome.results).toEqual([]);
    expect(outcome.summary?.complete).toBe(false);
  });

  test('a users.csv with the 1.1 columns under a 1.2 manifest', async () => {
    const outcome = await pullFixture('wrong-headers.zip');

    expect(problemKeys(outcome)).toEqual([
      'wrong-headers.zip/users.csv 1 username headers_mismatch',
    ]);
    expect(outcome.problems[0]!.message).toBe(
      'The header row does not match OneRoster 1.2: column 5 is "orgSourcedIds" where ' +
        'OneRoster 1.2 has "username", so this file was not read. These are the OneRoster 1.1 ' +
        'columns, but manifest.csv says 1.2: export the package again so that the two agree.',
    );
    expect(outcome.pupils).toEqual([]);
    expect(outcome.results).toHaveLength(brook.results.length);
    expect(outcome.summary?.complete).toBe(false);
  });

  test('entries whose paths climb out of the zip, none of which is read', async () => {
    const outcome = await pullFixture('path-traversal.zip');

    expect(problemKeys(outcome)).toEqual([
      'path-traversal.zip/../../etc/cron.d/evil.csv - - entry_unsafe_path',
      'path-traversal.zip//tmp/users.csv - - entry_unsafe_path',
      'path-traversal.zip/../../windows/evil.csv - - entry_unsafe_path',
      'path-traversal.zip/reports/../../users.csv - - entry_unsafe_path',
    ]);
    expect(outcome.problems[0]!.message).toBe(
      '"../../etc/cron.d/evil.csv" points outside the zip (an absolute path or one that climbs ' +
        'up with ".."), so it was not read. A OneRoster export keeps every file at the top of ' +
        'the zip: export it again, and tell the supplier if this keeps happening.',
    );
    expect(outcome.pupils).toHaveLength(brook.pupils.length);
    expect(outcome.results).toHaveLength(brook.results.length);
    expect(outcome.summary?.complete).toBe(false);
  });

  test('a file that inflates past the size it declares, stopped as it is read', async () => {
    const outcome = await pullFixture('zip-bomb-lying.zip');

    // users.csv comes before results.csv, so its pupils were sent before the lie showed.
    expect(outcome.pupils).toHaveLength(brook.pupils.length);
    expect(outcome.results).toEqual([]);
    expect(outcome.error).toBeInstanceOf(OneRosterZipError);
    expect(outcome.error).toMatchObject({
      reason: 'zip_entry_overflow',
      category: 'bad_data',
      message:
        '"zip-bomb-lying.zip/results.csv" unpacked to more than the 2048 bytes its zip entry ' +
        'declares, so reading stopped. A zip that lies about its sizes may be a "zip bomb"; ' +
        'export the data again and tell the supplier.',
    });
  });

  test('impossible dates, each named by file, row and column, the records kept', async () => {
    const outcome = await pullFixture('bad-dates.zip');
    const [first, second] = BAD_DATES.scoreDateRows;

    expect(problemKeys(outcome)).toEqual([
      `bad-dates.zip/demographics.csv ${BAD_DATES.birthDateRow} birthDate date_invalid`,
      `bad-dates.zip/users.csv ${BAD_DATES.modifiedRow} dateLastModified datetime_invalid`,
      `bad-dates.zip/results.csv ${first} scoreDate date_invalid`,
      `bad-dates.zip/results.csv ${second} scoreDate date_invalid`,
    ]);
    expect(outcome.problems[0]!.message).toBe(
      '"2016-02-30" is not a date written as YYYY-MM-DD (for example 2015-09-01), so it was ' +
        'left blank. Correct it in the school system and export again.',
    );
    expect(outcome.problems[1]!.message).toBe(
      '"yesterday" is not a date and time (write it as 2025-03-14T09:30:00.000Z); the change ' +
        'was read without it.',
    );
    expect(outcome.pupils).toHaveLength(brook.pupils.length);
    const born = outcome.pupils.find(
      (p) => p.externalId === brook.pupils[BAD_DATES.birthDateRow - 2]!.id,
    );
    expect(born?.dateOfBirth).toBeNull();
    expect(outcome.results).toHaveLength(brook.results.length);
    const undated = outcome.results.find((r) => r.externalId === brook.results[first - 2]!.id);
    expect(undated).toMatchObject({ assessedOn: null, value: brook.results[first - 2]!.value });
  });

  test('a 1.1 user whose role is not a OneRoster role', async () => {
    const outcome = await pullFixture('unknown-role-1.1.zip');
    const unread = brook.pupils[UNKNOWN_ROLE_ROW - 2]!.id;

    expect(problemKeys(outcome)).toEqual([
      `unknown-role-1.1.zip/users.csv ${UNKNOWN_ROLE_ROW} role role_unknown`,
    ]);
    expect(outcome.problems[0]!.message).toBe(
      'The role "pupil" is not a OneRoster 1.1 role, so this row was not read. A pupil has the ' +
        'role "student"; correct the export so that every user has a role the specification ' +
        'lists.',
    );
    expect(outcome.pupils.map((p) => p.externalId)).toEqual(
      brook.pupils.map((p) => p.id).filter((id) => id !== unread),
    );
    // The pupil left out must not be taken as gone.
    expect(outcome.summary?.complete).toBe(false);
  });

  test('a 1.2 roles.csv row whose role is not a OneRoster role', async () => {
    const outcome = await pullFixture('unknown-role-1.2.zip');
    const unread = brook.pupils[UNKNOWN_ROLE_ROW - 2]!.id;

    expect(problemKeys(outcome)).toEqual([
      `unknown-role-1.2.zip/roles.csv ${UNKNOWN_ROLE_ROW} role role_unknown`,
    ]);
    expect(outcome.problems[0]!.message).toContain(
      'The role "learner" is not a OneRoster 1.2 role',
    );
    expect(outcome.pupils.map((p) => p.externalId)).toEqual(
      brook.pupils.map((p) => p.id).filter((id) => id !== unread),
    );
    expect(outcome.summary?.complete).toBe(false);
  });

  test('a quotation mark never closed, the rows before it read', async () => {
    const files = bulkFiles(BROOK_STREET, brook, '1.2');
    files['users.csv']![6]![6] = 'Unclosed';
    const text = toCsv(files['users.csv']!).replace(',Unclosed,', ',"Unclosed,');
    const zip = writeZip([
      { name: 'manifest.csv', data: toCsv(manifest('1.2', { users: 'bulk' })) },
      { name: 'users.csv', data: text },
    ]);

    const outcome = await pullFixture('quote.zip', { bytes: zip });

    expect(problemKeys(outcome)).toEqual(['quote.zip/users.csv 7 - csv_unreadable']);
    expect(outcome.problems[0]!.message).toBe(
      'a quotation mark (") in this row opens or closes a value in the wrong place, so this ' +
        'row and the rows after it could not be read. Export the file again; if it was edited ' +
        'by hand, save it as CSV ' +
        'UTF-8.',
    );
    expect(outcome.pupils.map((p) => p.externalId)).toEqual(
      brook.pupils.slice(0, 5).map((p) => p.id),
    );
    expect(outcome.summary?.complete).toBe(false);
  });
});

test('a users.csv in a Windows code page is read, and its first garbled row reported', async () => {
  const files = bulkFiles(BROOK_STREET, brook, '1.2');
  files['users.csv']![3]![6] = 'Zoë';
  const zip = writeZip([
    { name: 'manifest.csv', data: toCsv(manifest('1.2', { users: 'bulk' })) },
    { name: 'users.csv', data: iconv.encode(toCsv(files['users.csv']!), 'win1252') },
  ]);

  const outcome = await pullFixture('cp1252.zip', { bytes: zip });

  expect(problemKeys(outcome)).toEqual(['cp1252.zip/users.csv 4 - encoding_invalid']);
  expect(outcome.pupils).toHaveLength(brook.pupils.length);
});

describe('the connector as a source kind', () => {
  test('check says an upload needs no connection', async () => {
    const result = await oneRosterCsvConnector.check({
      config: config(),
      secrets: {},
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ ok: true, category: null });
  });

  test('keeps no secrets: its secrets are an empty object and nothing else', () => {
    expect(oneRosterCsvSecretsSchema.safeParse({}).success).toBe(true);
    expect(oneRosterCsvSecretsSchema.safeParse({ token: 'x' }).success).toBe(false);
  });
});
