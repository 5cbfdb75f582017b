import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine, uploadAndRun } from '../support/engine.ts';
import {
  everyStoredText,
  type FileCase,
  fileCorpus,
  fixture,
  freshSource,
  outcomeOf,
  problem,
  pupilNames,
  runLog,
} from './helpers.ts';

// Broken Common Transfer Files a school uploads. Each goes through the worker as an upload does; its valid
// records must come through beside the errors, each error naming the file, row or field.

const CASES: FileCase[] = [
  {
    fixture: 'ctf-truncated.xml',
    kind: 'ctf',
    wrong: 'cut off in the middle of an element',
    status: 'succeeded_with_warnings',
    message:
      '"ctf-truncated.xml" could not be read whole, so only part of it was staged and ' +
      'nobody was marked as left. Correct the file as its problems say and upload it ' +
      'again.',
    problems: [
      problem(
        'ctf-truncated.xml',
        60,
        null,
        'ctf_truncated',
        'The file stops part-way, at line 60, before the CTF closes: it may have been ' +
          'cut short while downloading or uploading. The pupils before that point were ' +
          'read (2 pupils). Upload the whole file again.',
      ),
    ],
    pupils: 2,
    staged: 6,
    landed: 0,
    names: ['Shah, Oliver', 'Thompson, Ava'],
  },
  {
    fixture: 'ctf-invalid-upns.xml',
    kind: 'ctf',
    wrong: 'a wrong check letter, a 12-character UPN and LA 000',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'ctf-invalid-upns.xml',
        40,
        'UPN',
        'upn_check_letter',
        'Pupil 2 in the file: UPN C801241719012 starts with C, but the rest of the ' +
          'number gives the check letter B; a character is probably mistyped, so compare ' +
          "it with the pupil's record. The pupil is matched by surname, forename and date " +
          'of birth instead.',
      ),
      problem(
        'ctf-invalid-upns.xml',
        58,
        'UPN',
        'upn_length',
        'Pupil 3 in the file: UPN Q80124171901 has 12 characters; a UPN has 13: a ' +
          'letter followed by 12 digits, or by 11 digits and a letter for a temporary ' +
          'UPN. The pupil is matched by surname, forename and date of birth instead.',
      ),
      problem(
        'ctf-invalid-upns.xml',
        76,
        'UPN',
        'upn_la_code',
        'Pupil 4 in the file: UPN L000234516004 has 000 in characters 2 to 4, which is ' +
          "not a DfE local authority number; compare it with the pupil's CTF or the " +
          'records of the school that gave it. The pupil is matched by surname, forename ' +
          'and date of birth instead.',
      ),
    ],
    pupils: 4,
    staged: 12,
    landed: 0,
    names: ['Brown, Isla', 'Evans, George', 'Shah, Oliver', 'Thompson, Ava'],
  },
  {
    fixture: 'ctf-impossible-dates.xml',
    kind: 'ctf',
    wrong: 'DOBs 2014-02-31, 2014-13-01 and 2027-03-14',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'ctf-impossible-dates.xml',
        40,
        'DOB',
        'date_invalid',
        'Pupil B801241719012: DOB "2014-02-31" is not a real date written YYYY-MM-DD, ' +
          'so it was not used.',
      ),
      problem(
        'ctf-impossible-dates.xml',
        58,
        'DOB',
        'date_invalid',
        'Pupil Q801241719013: DOB "2014-13-01" is not a real date written YYYY-MM-DD, ' +
          'so it was not used.',
      ),
      problem(
        'ctf-impossible-dates.xml',
        null,
        'date of birth',
        'birth_date_future',
        'Pupil E801241719014: The date of birth 2027-03-14 is after today, so it was ' +
          "left blank. Correct it in the school's records and send the pupil again.",
      ),
    ],
    pupils: 4,
    staged: 12,
    landed: 0,
    names: ['Brown, Isla', 'Evans, George', 'Shah, Oliver', 'Thompson, Ava'],
  },
  {
    fixture: 'ctf-unknown-year-groups.xml',
    kind: 'ctf',
    wrong: 'NC years 15 and N3',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'ctf-unknown-year-groups.xml',
        null,
        'year group',
        'nc_year_unknown',
        'Pupil B801241719012: Year group "15" is not one we can read. Write it as Y1 to ' +
          'Y14 (or Year 4, Yr4, 4), R or Reception, N1 or N2 (Nursery 1, Nursery 2), or X ' +
          'for a pupil not following a National Curriculum year.',
      ),
      problem(
        'ctf-unknown-year-groups.xml',
        null,
        'year group',
        'nc_year_unknown',
        'Pupil Q801241719013: Year group "N3" is not one we can read. Write it as Y1 to ' +
          'Y14 (or Year 4, Yr4, 4), R or Reception, N1 or N2 (Nursery 1, Nursery 2), or X ' +
          'for a pupil not following a National Curriculum year.',
      ),
    ],
    pupils: 4,
    staged: 12,
    landed: 0,
    names: ['Brown, Isla', 'Evans, George', 'Shah, Oliver', 'Thompson, Ava'],
  },
  {
    fixture: 'ctf-duplicate-pupils.xml',
    kind: 'ctf',
    wrong: 'one UPN on two pupils',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'ctf-duplicate-pupils.xml',
        76,
        'UPN',
        'pupil_repeated',
        'Pupil M801241719011 appears more than once in the file; the first record was ' +
          'read and this one, with its results, was not. Ask the school that made the CTF ' +
          'to merge the two records.',
      ),
    ],
    pupils: 3,
    staged: 9,
    landed: 0,
    names: ['Brown, Isla', 'Shah, Oliver', 'Thompson, Ava'],
  },
  {
    fixture: 'ctf-unknown-subjects.xml',
    kind: 'ctf',
    wrong: 'a reading result under subject GEO, component MAP',
    status: 'succeeded',
    message: null,
    problems: [],
    pupils: 4,
    staged: 12,
    landed: 0,
    names: ['Brown, Isla', 'Evans, George', 'Shah, Oliver', 'Thompson, Ava'],
  },
  {
    fixture: 'ctf-empty.xml',
    kind: 'ctf',
    wrong: 'no bytes at all',
    status: 'failed',
    message:
      '"ctf-empty.xml" is empty. Export the CTF from the school\'s MIS again and ' + 'upload it.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'ctf-header-only.xml',
    kind: 'ctf',
    wrong: 'a header and no pupils',
    status: 'failed',
    message:
      '"ctf-header-only.xml" is a CTF with no pupils in it. Check that the export ' +
      'from the MIS selected the pupils, and upload it again.',
    problems: [
      problem(
        'ctf-header-only.xml',
        null,
        'CTFpupilData',
        'ctf_no_pupils',
        '"ctf-header-only.xml" is a CTF with no pupils in it. Check that the export ' +
          'from the MIS selected the pupils, and upload it again.',
      ),
    ],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'ctf-windows-1252.xml',
    kind: 'ctf',
    wrong: 'Windows-1252 bytes and no encoding declared',
    status: 'succeeded',
    message: null,
    problems: [],
    pupils: 2,
    staged: 6,
    landed: 0,
    names: ['O’Connor, Zoë', 'Thompson, Ava'],
  },
  {
    fixture: 'ctf-utf-16.xml',
    kind: 'ctf',
    wrong: 'UTF-16 with its byte-order mark',
    status: 'succeeded',
    message: null,
    problems: [],
    pupils: 2,
    staged: 6,
    landed: 0,
    names: ['Shah, Zoë', 'Thompson, Ava'],
  },
];

const database = fileCorpus('Common Transfer Files uploaded by a school', CASES);

describe('ctf-external-entities.xml, a DOCTYPE naming a file and a remote DTD', () => {
  let secretPath: string;
  let secret: string;
  let remote: Server;
  let remoteHits = 0;

  beforeAll(async () => {
    secret = `rostered-secret-${randomBytes(12).toString('hex')}`;
    secretPath = join(mkdtempSync(join(tmpdir(), 'nss-bad-input-')), 'secret.txt');
    writeFileSync(secretPath, secret);
    remote = createServer((_request, response) => {
      remoteHits += 1;
      response.end(`<!ENTITY secret SYSTEM "file://${secretPath}">`);
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => remote.close(() => resolve())));

  it('resolves neither entity, reads the pupils around them, and stores the secret nowhere', async () => {
    const { port } = remote.address() as AddressInfo;
    const xml = fixture('ctf-external-entities.xml')
      .toString('utf8')
      .replace('__SECRET_PATH__', secretPath)
      .replace('__REMOTE_URL__', `http://127.0.0.1:${port}/nexus.dtd`);
    const db = database();
    const source = await freshSource(db, 'ctf');
    const run = await uploadAndRun(testEngine(db), source, 'ctf-external-entities.xml', xml);
    const outcome = await outcomeOf(db, run.id, source.schoolId);

    expect(outcome).toMatchObject({ status: 'succeeded', message: null, pupils: 3, staged: 9 });
    expect(outcome.problems).toEqual([
      problem(
        'ctf-external-entities.xml',
        6,
        null,
        'ctf_doctype_ignored',
        'The file declares a document type (<!DOCTYPE ...>), which a CTF never has. It was ' +
          'ignored: no entity it declares was expanded and nothing it refers to was opened. If ' +
          "the file did not come straight from a school's MIS or S2S, check where it came from.",
      ),
      problem(
        'ctf-external-entities.xml',
        45,
        'Surname',
        'xml_entity_unexpanded',
        'Pupil 2 in the file: Surname uses an entity (&name;), which is never expanded, so its ' +
          'text was not read.',
      ),
    ]);
    expect(await pupilNames(db, source.schoolId)).toEqual([
      ', Oliver',
      'Brown, Isla',
      'Thompson, Ava',
    ]);
    expect((await runLog(db, run.id)).join('\n')).not.toContain(secret);
    expect(remoteHits).toBe(0);
    expect(await everyStoredText(db)).not.toContain(secret);
  });
});
