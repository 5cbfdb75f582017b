import { describe, expect, it } from 'vitest';
import { fixture, problemsOf, readFixture, valuesOf } from './helpers/read.ts';
import { harbourLaneUpn as upn } from './helpers/upn.ts';

const DATE_FIX = 'Write it as dd/mm/yyyy, for example 14/03/2016.';
const BY_NAME = 'surname, forename and date of birth';

describe('no-upn-column.csv: names but no UPN column', () => {
  it('reads 2 pupils and 6 results, matched by name and date of birth', async () => {
    const pulled = await readFixture('no-upn-column.csv');

    expect(pulled.pupils).toHaveLength(2);
    expect(pulled.results).toHaveLength(6);
    expect(pulled.pupils.every((pupil) => pupil.upn === null)).toBe(true);
    expect(pulled.summary.complete).toBe(true);
  });

  it('warns once about the missing column, and about the repeated pupil', async () => {
    const pulled = await readFixture('no-upn-column.csv');

    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'upn_column_missing',
        message:
          '"no-upn-column.csv" has no UPN column, so pupils are matched by surname, forename ' +
          'and date of birth. Add a "UPN" column so that every pupil is matched for certain.',
      },
      {
        row: 4,
        field: null,
        code: 'row_duplicate',
        message:
          'Row 4: this pupil (matched by name and date of birth) is also on row 2 for the same ' +
          'assessment, so row 2 was ignored and row 4 was read. Delete the row that is wrong.',
      },
    ]);
  });

  it('keys a pupil without a UPN by a hash that carries no name', async () => {
    const pulled = await readFixture('no-upn-column.csv');

    for (const pupil of pulled.pupils) {
      expect(pupil.externalId).toMatch(/^name:[0-9a-f]{24}$/);
      expect(pupil.externalId).not.toContain(pupil.lastName.toLowerCase());
    }
  });
});

describe('no-pupil-columns.csv: neither a UPN nor name columns', () => {
  it('reads nothing, says what is missing and which headers it found', async () => {
    const pulled = await readFixture('no-pupil-columns.csv');

    expect([pulled.pupils.length, pulled.results.length]).toEqual([0, 0]);
    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'column_missing',
        message:
          '"no-pupil-columns.csv" cannot be read: it needs a "UPN" column (or "Surname" and ' +
          '"Forename" columns) to say whose row it is. Its header row (row 1) has "Class", ' +
          '"Reading", "Writing" and "Maths". Add the missing column and upload the file again.',
      },
    ]);
  });

  it('is not complete, so no pupil is marked as left', async () => {
    const pulled = await readFixture('no-pupil-columns.csv');

    expect(pulled.summary.complete).toBe(false);
  });
});

describe('truncated.xlsx: a workbook cut short', () => {
  it('reads nothing and says the workbook is incomplete', async () => {
    const pulled = await readFixture('truncated.xlsx');

    expect([pulled.pupils.length, pulled.results.length]).toEqual([0, 0]);
    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'xlsx_truncated',
        message:
          '"truncated.xlsx" is not a complete Excel workbook: it may have been cut short while ' +
          'uploading. Upload it again; if that does not help, open it in Excel and save it ' +
          'again first.',
      },
    ]);
    expect(pulled.summary.complete).toBe(false);
  });

  it('still keeps the bytes as the raw payload, for a replay', async () => {
    const pulled = await readFixture('truncated.xlsx');

    expect(pulled.pages).toHaveLength(1);
    expect(pulled.pages[0]?.raw?.body.length).toBe(fixture('truncated.xlsx').byteSize);
  });
});

describe('empty.csv: a file of no bytes', () => {
  it('reads nothing and says the file is empty', async () => {
    const pulled = await readFixture('empty.csv');

    expect([pulled.pupils.length, pulled.results.length]).toEqual([0, 0]);
    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'file_empty',
        message: '"empty.csv" is empty. Fill in the trust\'s template and upload it again.',
      },
    ]);
    expect(pulled.summary.complete).toBe(false);
  });
});

describe('header-only.csv: headers and no pupils', () => {
  it('reads nothing, says so, and is not complete', async () => {
    const pulled = await readFixture('header-only.csv');

    expect([pulled.pupils.length, pulled.results.length]).toEqual([0, 0]);
    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'no_pupil_rows',
        message:
          '"header-only.csv" has no pupil rows that could be read under its header row (row 1). ' +
          'Fill in one row per pupil and upload the file again.',
      },
    ]);
    expect(pulled.summary.complete).toBe(false);
  });
});

describe('impossible-dates.csv: dates that are not dates', () => {
  it('reads all 6 pupils and 18 results: a bad date loses only its cell', async () => {
    const pulled = await readFixture('impossible-dates.csv');

    expect(pulled.pupils).toHaveLength(6);
    expect(pulled.results).toHaveLength(18);
    expect(pulled.summary.complete).toBe(true);
  });

  it('reports each bad date with its row, column and fix', async () => {
    const pulled = await readFixture('impossible-dates.csv');
    const dateProblem = (row: number, field: string, detail: string) => ({
      row,
      field,
      code: 'date_invalid',
      message: `Row ${row}, column "${field}": ${detail}`,
    });

    expect(problemsOf(pulled)).toEqual([
      dateProblem(2, 'Date of birth', `"31/02/2016" is not a real date. ${DATE_FIX}`),
      dateProblem(
        3,
        'Date of birth',
        '"03/14/2016" puts the month first. Write the day first, as dd/mm/yyyy, for example ' +
          '14/03/2016.',
      ),
      dateProblem(4, 'Date of birth', `"2016-13-01" is not a real date. ${DATE_FIX}`),
      dateProblem(5, 'Date of birth', `"Sept 2016" is not a date. ${DATE_FIX}`),
      dateProblem(
        6,
        'Date of birth',
        `"14/03/1016" is not a likely date: check the year. ${DATE_FIX}`,
      ),
      dateProblem(7, 'Assessment date', `"31/11/2025" is not a real date. ${DATE_FIX}`),
    ]);
  });

  it('leaves a bad date of birth null and keeps the rest of the pupil', async () => {
    const pulled = await readFixture('impossible-dates.csv');

    expect(pulled.pupils[0]).toMatchObject({
      upn: upn(61),
      lastName: 'Ward',
      dateOfBirth: null,
      sex: 'M',
      ncYear: '4',
    });
  });

  it('keeps the results of a row whose assessment date is bad, undated', async () => {
    const pulled = await readFixture('impossible-dates.csv');
    const simran = pulled.results.filter((result) => result.pupilExternalId === upn(66));

    expect(simran.map((result) => [result.externalId, result.assessedOn])).toEqual([
      [`${upn(66)}/reading//`, null],
      [`${upn(66)}/writing//`, null],
      [`${upn(66)}/mathematics//`, null],
    ]);
  });
});

describe('invalid-codes.csv: codes that are not codes, and rows without UPNs', () => {
  it('reads 9 pupils and 27 results: only the row naming nobody is lost', async () => {
    const pulled = await readFixture('invalid-codes.csv');

    expect(pulled.pupils).toHaveLength(9);
    expect(pulled.results).toHaveLength(27);
  });

  it('reports each bad code, UPN and unattributable row', async () => {
    const pulled = await readFixture('invalid-codes.csv');

    expect(problemsOf(pulled)).toEqual([
      {
        row: 2,
        field: 'Sex',
        code: 'sex_unrecognised',
        message:
          'Row 2, column "Sex": "X" is not a recognised sex, so it was left blank. Write M or F.',
      },
      {
        row: 3,
        field: 'SEN status',
        code: 'sen_unrecognised',
        message:
          'Row 3, column "SEN status": "Maybe" is not a SEN status, so it was left blank. ' +
          'Write N (no SEN), K (SEN support) or E (EHC plan).',
      },
      {
        row: 4,
        field: 'Disadvantaged',
        code: 'flag_unrecognised',
        message:
          'Row 4, column "Disadvantaged": "Perhaps" is not Y or N, so it was left blank. ' +
          'Write Y or N.',
      },
      {
        row: 4,
        field: 'EAL',
        code: 'flag_unrecognised',
        message: 'Row 4, column "EAL": "2" is not Y or N, so it was left blank. Write Y or N.',
      },
      {
        row: 5,
        field: 'UPN',
        code: 'upn_length',
        message:
          `Row 5, column "UPN": "${upn(74).slice(0, 12)}" has 12 characters, but a UPN has 13, ` +
          `so this pupil is matched by ${BY_NAME}. Copy the UPN from the school's MIS.`,
      },
      {
        row: 6,
        field: 'UPN',
        code: 'upn_missing',
        message:
          'Row 6, column "UPN": the UPN is blank, so this pupil is matched by surname, ' +
          "forename and date of birth. Add the pupil's 13-character UPN.",
      },
      {
        row: 7,
        field: null,
        code: 'pupil_unidentified',
        message:
          'Row 7: the row has neither a UPN nor a surname and forename, so it cannot be ' +
          "matched to a pupil and was not read. Add the pupil's UPN (or surname and forename).",
      },
      {
        row: 9,
        field: 'UPN',
        code: 'upn_malformed',
        message:
          `Row 9, column "UPN": "${upn(78).slice(1)}A" is not a UPN (a letter, 11 digits, then a ` +
          `digit or letter), so this pupil is matched by ${BY_NAME}. Copy the UPN from the ` +
          "school's MIS.",
      },
      ...[10, 11].map((row) => ({
        row,
        field: 'UPN',
        code: 'upn_length',
        message:
          `Row ${row}, column "UPN": "TBC" has 3 characters, but a UPN has 13, so this pupil ` +
          `is matched by ${BY_NAME}. Copy the UPN from the school's MIS.`,
      })),
    ]);
  });

  it('leaves unrecognised codes null and keeps the rest of the pupil', async () => {
    const pulled = await readFixture('invalid-codes.csv');
    const [harry, elif, jakub] = pulled.pupils;

    expect([harry?.sex, harry?.senStatus]).toEqual([null, 'N']);
    expect([elif?.sex, elif?.senStatus]).toEqual(['F', null]);
    expect([jakub?.disadvantaged, jakub?.eal]).toEqual([null, null]);
  });

  it('keeps a UPN of the wrong length as written, but matches the pupil by name', async () => {
    const pulled = await readFixture('invalid-codes.csv');

    expect(pulled.pupils[3]?.upn).toBe(upn(74).slice(0, 12));
    expect(pulled.pupils[3]?.externalId).toMatch(/^name:/);
  });

  it('keeps pupils apart who share a placeholder UPN', async () => {
    const pulled = await readFixture('invalid-codes.csv');
    const placeholders = pulled.pupils.filter((pupil) => pupil.upn === 'TBC');

    expect(placeholders.map((pupil) => pupil.firstName)).toEqual(['Erin', 'Nia']);
    expect(new Set(placeholders.map((pupil) => pupil.externalId)).size).toBe(2);
  });

  it('upper-cases and trims a UPN, and reads lower-case codes', async () => {
    const pulled = await readFixture('invalid-codes.csv');

    expect(pulled.pupils[5]).toMatchObject({
      externalId: upn(77),
      upn: upn(77),
      sex: 'F',
      senStatus: 'K',
      disadvantaged: true,
      eal: false,
    });
  });
});

describe('duplicate-pupils.csv: a pupil entered twice', () => {
  it('reads 3 pupils and 11 results', async () => {
    const pulled = await readFixture('duplicate-pupils.csv');

    expect(pulled.pupils).toHaveLength(3);
    expect(pulled.results).toHaveLength(11);
  });

  it('reports the repeated row, naming the earlier one', async () => {
    const pulled = await readFixture('duplicate-pupils.csv');

    expect(problemsOf(pulled)).toEqual([
      {
        row: 5,
        field: null,
        code: 'row_duplicate',
        message:
          `Row 5: this pupil (UPN ${upn(81)}) is also on row 2 for the same assessment, so ` +
          'row 2 was ignored and row 5 was read. Delete the row that is wrong.',
      },
    ]);
  });

  it('keeps the later row whole, so a value blanked in it is gone', async () => {
    const pulled = await readFixture('duplicate-pupils.csv');
    const noah = pulled.results.filter((result) => result.pupilExternalId === upn(81));

    expect(noah.map((result) => [result.aspect.key, result.value])).toEqual([
      ['Reading', 'NX7'],
      ['Maths', 'NX7'],
    ]);
  });

  it('keeps both rows of a pupil assessed on two dates', async () => {
    const pulled = await readFixture('duplicate-pupils.csv');
    const values = valuesOf(pulled);

    expect(values[`${upn(82)}/reading/2025-12-05/`]).toBe('NX7');
    expect(values[`${upn(82)}/reading/2026-03-20/`]).toBe('NX8');
  });
});

describe('unclosed-quote.csv: a quotation mark that never closes', () => {
  it('keeps the rows above the break and reports the row it starts on', async () => {
    const pulled = await readFixture('unclosed-quote.csv');

    expect(pulled.pupils.map((pupil) => pupil.upn)).toEqual([upn(95)]);
    expect(pulled.results).toHaveLength(3);
    expect(problemsOf(pulled)).toEqual([
      {
        row: 3,
        field: null,
        code: 'csv_unreadable',
        message:
          'Row 3: a quotation mark (") opened in this row is never closed, so this row and the ' +
          'rows after it could not be read. Correct the row, save the file as CSV again and ' +
          'upload it again.',
      },
    ]);
  });

  it('is not complete, as the file was not read to its end', async () => {
    const pulled = await readFixture('unclosed-quote.csv');

    expect(pulled.summary.complete).toBe(false);
  });
});

describe('legacy.xls: an old binary workbook', () => {
  it('reads nothing and asks for .xlsx', async () => {
    const pulled = await readFixture('legacy.xls');

    expect(pulled.pupils).toHaveLength(0);
    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'file_unsupported',
        message:
          '"legacy.xls" is an old-style Excel file (.xls) or a password-protected workbook, ' +
          'which cannot be read. Save it in Excel as "Excel Workbook (.xlsx)" without a ' +
          'password, and upload it again.',
      },
    ]);
    expect(pulled.summary.complete).toBe(false);
  });
});
