import { describe, expect, it } from 'vitest';
import { problemsOf, readFixture, valuesOf } from './helpers/read.ts';
import { harbourLaneUpn as upn } from './helpers/upn.ts';

describe('utf8-bom.csv: Excel "CSV UTF-8" with other spellings of the headers', () => {
  it('reads 6 pupils and 17 results', async () => {
    const pulled = await readFixture('utf8-bom.csv');

    expect(pulled.pupils).toHaveLength(6);
    expect(pulled.results).toHaveLength(17);
    expect(pulled.summary).toEqual({ complete: true, cursor: {} });
  });

  it('reports only the ignored Notes column, whose cells hold line breaks and commas', async () => {
    const pulled = await readFixture('utf8-bom.csv');

    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'columns_ignored',
        message: '"utf8-bom.csv": the trust does not collect "Notes", so this column was not read.',
      },
    ]);
  });

  it('keeps letters beyond Windows-1252, so the byte-order mark was honoured', async () => {
    const pulled = await readFixture('utf8-bom.csv');

    expect(pulled.pupils.map((pupil) => pupil.lastName)).toEqual([
      'Wiśniewska',
      'Nguyễn',
      'Patel',
      'Clarke',
      'Hussain',
      'Evans',
    ]);
  });

  it('reads dd/mm/yyyy, d/m/yy and yyyy-mm-dd dates day first', async () => {
    const pulled = await readFixture('utf8-bom.csv');

    expect(pulled.pupils.map((pupil) => pupil.dateOfBirth)).toEqual([
      '2016-03-14',
      '2016-04-03',
      '2016-09-21',
      '2015-04-03',
      '2015-11-30',
      '2016-08-01',
    ]);
  });

  it('translates spelled-out sex, SEN and flag values', async () => {
    const pulled = await readFixture('utf8-bom.csv');
    const [zofia, minh, priya, jayden, maryam] = pulled.pupils;

    expect([zofia?.sex, zofia?.senStatus, zofia?.disadvantaged, zofia?.eal]).toEqual([
      'F',
      'K',
      true,
      true,
    ]);
    expect([minh?.sex, minh?.senStatus, minh?.disadvantaged]).toEqual(['M', 'N', false]);
    expect([priya?.sex, priya?.senStatus]).toEqual(['F', 'E']);
    expect(jayden?.sex).toBe('M');
    expect(maryam?.senStatus).toBe('E');
  });

  it('leaves blank pupil cells null and gives no result for blank value cells', async () => {
    const pulled = await readFixture('utf8-bom.csv');
    const daisy = pulled.pupils.at(-1);

    expect([daisy?.senStatus, daisy?.disadvantaged, daisy?.eal]).toEqual([null, null, null]);
    expect(pulled.results.filter((result) => result.pupilExternalId === upn(16))).toEqual([
      expect.objectContaining({ aspect: { key: 'Reading', name: 'Reading', gradeSet: null } }),
      expect.objectContaining({
        aspect: { key: 'Mathematics', name: 'Mathematics', gradeSet: null },
      }),
    ]);
  });

  it("keeps a school's own grades exactly as written", async () => {
    const pulled = await readFixture('utf8-bom.csv');
    const values = valuesOf(pulled);

    expect(values[`${upn(13)}/reading/2025-12-05/`]).toBe('W');
    expect(values[`${upn(13)}/writing/2025-12-05/`]).toBe('W+');
    expect(values[`${upn(13)}/mathematics/2025-12-05/`]).toBe('S');
  });

  it('reads a two-digit-year assessment date as this century', async () => {
    const pulled = await readFixture('utf8-bom.csv');
    const maryam = pulled.results.filter((result) => result.pupilExternalId === upn(15));

    expect(maryam.map((result) => result.assessedOn)).toEqual([
      '2025-12-05',
      '2025-12-05',
      '2025-12-05',
    ]);
  });
});

describe('windows-1252.csv: Excel "CSV (Comma delimited)" on Windows', () => {
  it('reads 5 pupils and 15 results with no problems', async () => {
    const pulled = await readFixture('windows-1252.csv');

    expect(pulled.pupils).toHaveLength(5);
    expect(pulled.results).toHaveLength(15);
    expect(problemsOf(pulled)).toEqual([]);
  });

  it('decodes accented names and curly apostrophes', async () => {
    const pulled = await readFixture('windows-1252.csv');

    expect(pulled.pupils.map((pupil) => `${pupil.firstName} ${pupil.lastName}`)).toEqual([
      'Zoë Kowalczyk',
      'Oliver O’Brien',
      'Chloé Martin',
      'Siobhán Murphy',
      'Renée Dubois',
    ]);
  });

  it('labels the raw payload with the file name and the encoding found', async () => {
    const pulled = await readFixture('windows-1252.csv');

    expect(pulled.pages[0]?.raw).toMatchObject({
      label: 'windows-1252.csv',
      contentType: 'text/csv; charset=windows-1252',
    });
  });
});

describe('semicolon.csv: semicolons, a title row and a blank row above the headers', () => {
  it('reads 4 pupils and 12 results with no problems', async () => {
    const pulled = await readFixture('semicolon.csv');

    expect(pulled.pupils).toHaveLength(4);
    expect(pulled.results).toHaveLength(12);
    expect(problemsOf(pulled)).toEqual([]);
  });

  it('reads FSM6 as disadvantaged and 1/0 as yes/no', async () => {
    const pulled = await readFixture('semicolon.csv');

    expect(pulled.pupils.map((pupil) => [pupil.disadvantaged, pupil.eal])).toEqual([
      [true, false],
      [false, true],
      [true, false],
      [false, false],
    ]);
  });

  it('keeps year groups as written, for the engine to parse', async () => {
    const pulled = await readFixture('semicolon.csv');

    expect(pulled.pupils.map((pupil) => pupil.ncYear)).toEqual(['R', 'R', 'Reception', '1']);
  });

  it('reads dotted dates day first', async () => {
    const pulled = await readFixture('semicolon.csv');

    expect(pulled.pupils[0]?.dateOfBirth).toBe('2019-06-17');
  });

  it('names the mathematics aspect as the header writes it', async () => {
    const pulled = await readFixture('semicolon.csv');

    expect(pulled.results.slice(0, 3).map((result) => result.aspect.key)).toEqual([
      'Maths',
      'Reading',
      'Writing',
    ]);
  });
});

describe('unicode-text.txt: Excel "Unicode text", UTF-16 with tabs', () => {
  it('reads 3 pupils and 9 results with no problems', async () => {
    const pulled = await readFixture('unicode-text.txt');

    expect(pulled.pupils).toHaveLength(3);
    expect(pulled.results).toHaveLength(9);
    expect(problemsOf(pulled)).toEqual([]);
  });

  it('decodes the names and reads a leap day', async () => {
    const pulled = await readFixture('unicode-text.txt');

    expect(pulled.pupils.map((pupil) => [pupil.firstName, pupil.dateOfBirth])).toEqual([
      ['Bartosz', '2017-04-13'],
      ['Łucja', '2016-02-29'],
      ['Ava-Rose', '2016-12-31'],
    ]);
  });
});

describe('long-layout.csv: one row per pupil and subject', () => {
  it('reads 4 pupils and 11 results', async () => {
    const pulled = await readFixture('long-layout.csv');

    expect(pulled.pupils).toHaveLength(4);
    expect(pulled.results).toHaveLength(11);
    expect(pulled.summary.complete).toBe(true);
  });

  it('reports the subject it does not collect and the repeated result', async () => {
    const pulled = await readFixture('long-layout.csv');

    expect(problemsOf(pulled)).toEqual([
      {
        row: 14,
        field: 'Subject',
        code: 'subject_unrecognised',
        message:
          'Row 14, column "Subject": "Science" is not one of the subjects the trust collects ' +
          '("Reading", "Writing" and "Mathematics"), so the row\'s value was not read.',
      },
      {
        row: 15,
        field: 'Subject',
        code: 'row_duplicate',
        message:
          `Row 15, column "Subject": this pupil (UPN ${upn(41)}) already has a "reading" ` +
          'result for the same assessment on row 2, so row 2 was ignored and row 15 was read. ' +
          'Delete the row that is wrong.',
      },
    ]);
  });

  it('keeps the later of two rows for the same pupil and subject', async () => {
    const pulled = await readFixture('long-layout.csv');
    const id = `${upn(41)}/reading/2025-12-05/Autumn 2025`;

    expect(pulled.results.filter((result) => result.externalId === id)).toEqual([
      {
        externalId: id,
        pupilExternalId: upn(41),
        aspect: { key: 'reading', name: 'reading', gradeSet: null },
        value: 'NX9',
        assessedOn: '2025-12-05',
        periodLabel: 'Autumn 2025',
        modifiedAt: null,
      },
    ]);
  });

  it('sends each pupil once although they have a row per subject', async () => {
    const pulled = await readFixture('long-layout.csv');

    expect(pulled.pupils.map((pupil) => pupil.externalId)).toEqual([
      upn(41),
      upn(42),
      upn(43),
      upn(44),
    ]);
  });

  it('prefers the Collection column to the configured period label', async () => {
    const pulled = await readFixture('long-layout.csv', { periodLabel: 'Spring 2026' });

    expect(new Set(pulled.results.map((result) => result.periodLabel))).toEqual(
      new Set(['Autumn 2025']),
    );
  });
});

describe('formula-like.csv: cells that start like formulas', () => {
  it('reads 2 pupils and 6 results', async () => {
    const pulled = await readFixture('formula-like.csv');

    expect(pulled.pupils).toHaveLength(2);
    expect(pulled.results).toHaveLength(6);
  });

  it('keeps formula-like text as data and never evaluates it', async () => {
    const pulled = await readFixture('formula-like.csv');

    expect(pulled.results.map((result) => result.value)).toEqual([
      '=SUM(A1)',
      '-',
      '@NX7',
      '+NX7',
      '=1+1',
      'NX7',
    ]);
    expect(pulled.pupils[0]?.lastName).toBe('=HYPERLINK("http://example.test")');
  });

  it('does not read the contact column, and says so once', async () => {
    const pulled = await readFixture('formula-like.csv');

    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'columns_ignored',
        message:
          '"formula-like.csv": the trust does not collect "Parent phone", so this column ' +
          'was not read.',
      },
    ]);
    expect(JSON.stringify(pulled.pupils)).not.toContain('7700');
  });
});
