import { type FileCase, fileCorpus, problem } from './helpers.ts';

// Broken OneRoster CSV zips a school uploads. Each goes through the worker as an upload does; its valid
// records must come through beside the errors, each error naming the file, row or field.

const CASES: FileCase[] = [
  {
    fixture: 'oneroster-truncated.zip',
    kind: 'oneroster_csv',
    wrong: 'a zip cut short, with no central directory',
    status: 'failed',
    message:
      '"oneroster-truncated.zip" is not a complete zip: it may have been cut short ' +
      'while uploading or copying. Upload it again; if that does not help, export it ' +
      'again.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'oneroster-zip-bomb.zip',
    kind: 'oneroster_csv',
    wrong: 'results.csv declares 3.75 GB unpacked',
    status: 'failed',
    message:
      '"results.csv" in "oneroster-zip-bomb.zip" says it unpacks to 3840 MB, more ' +
      'than the 512 MB allowed for one file, so the zip was not opened. A zip that ' +
      'claims to unpack to far more than it holds is how a "zip bomb" attacks a ' +
      'server; export the data again and tell the supplier.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'oneroster-path-traversal.zip',
    kind: 'oneroster_csv',
    wrong: 'entries that climb out of the zip beside a whole export',
    status: 'succeeded_with_warnings',
    message:
      '"oneroster-path-traversal.zip" could not be read whole, so only part of it was ' +
      'staged and nobody was marked as left. Correct the file as its problems say and ' +
      'upload it again.',
    problems: [
      problem(
        'oneroster-path-traversal.zip/../../etc/cron.d/nightly.csv',
        null,
        null,
        'entry_unsafe_path',
        '"../../etc/cron.d/nightly.csv" points outside the zip (an absolute path or one ' +
          'that climbs up with ".."), so it was not read. A OneRoster export keeps every ' +
          'file at the top of the zip: export it again, and tell the supplier if this ' +
          'keeps happening.',
      ),
      problem(
        'oneroster-path-traversal.zip//tmp/users.csv',
        null,
        null,
        'entry_unsafe_path',
        '"/tmp/users.csv" points outside the zip (an absolute path or one that climbs ' +
          'up with ".."), so it was not read. A OneRoster export keeps every file at the ' +
          'top of the zip: export it again, and tell the supplier if this keeps ' +
          'happening.',
      ),
    ],
    pupils: 6,
    staged: 14,
    landed: 3,
    names: [
      'Achieng, Ava',
      'Davies, Mohammed',
      'Hughes, Chloe',
      'Khan, Nia',
      'Robinson, Oscar',
      'Thomas, Poppy',
    ],
  },
  {
    fixture: 'oneroster-bad-values.zip',
    kind: 'oneroster_csv',
    wrong: '31 February, month 13, a bad UPN check letter and grade 15',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'oneroster-bad-values.zip/demographics.csv',
        4,
        'birthDate',
        'date_invalid',
        '"2016-02-31" is not a date written as YYYY-MM-DD (for example 2015-09-01), so ' +
          'it was left blank. Correct it in the school system and export again.',
      ),
      problem(
        'oneroster-bad-values.zip',
        null,
        'UPN',
        'upn_check_letter',
        'Pupil 140101-00001: UPN A801241726000 starts with A, but the rest of the ' +
          'number gives the check letter M; a character is probably mistyped, so compare ' +
          "it with the pupil's record.",
      ),
      problem(
        'oneroster-bad-values.zip',
        null,
        'year group',
        'nc_year_unknown',
        'Pupil 140101-00002: Year group "15" is not one we can read. Write it as Y1 to ' +
          'Y14 (or Year 4, Yr4, 4), R or Reception, N1 or N2 (Nursery 1, Nursery 2), or X ' +
          'for a pupil not following a National Curriculum year.',
      ),
      problem(
        'oneroster-bad-values.zip/results.csv',
        3,
        'scoreDate',
        'date_invalid',
        '"2026-13-01" is not a date written as YYYY-MM-DD (for example 2015-09-01), so ' +
          'it was left blank. Correct it in the school system and export again.',
      ),
    ],
    pupils: 6,
    staged: 14,
    landed: 3,
    names: [
      'Achieng, Ava',
      'Davies, Mohammed',
      'Hughes, Chloe',
      'Khan, Nia',
      'Robinson, Oscar',
      'Thomas, Poppy',
    ],
  },
  {
    fixture: 'oneroster-not-a-zip.zip',
    kind: 'oneroster_csv',
    wrong: 'users.csv uploaded instead of the zip',
    status: 'failed',
    message:
      '"oneroster-not-a-zip.zip" is not a zip file. Upload the zip that the OneRoster ' +
      'export produced, not one of the CSV files inside it.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'oneroster-empty.zip',
    kind: 'oneroster_csv',
    wrong: 'no bytes at all',
    status: 'failed',
    message:
      '"oneroster-empty.zip" is not a zip file. Upload the zip that the OneRoster ' +
      'export produced, not one of the CSV files inside it.',
    problems: [],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
];

fileCorpus('OneRoster CSV zips uploaded by a school', CASES);
