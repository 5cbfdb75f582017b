import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { PulledPage } from '../../../src/connectors/contract.ts';
import { readSpreadsheet } from '../../../src/connectors/spreadsheet/index.ts';
import { fixture, problemsOf, pullAll, readFixture, upload } from './helpers/read.ts';
import { harbourLaneUpn as upn } from './helpers/upn.ts';
import { largeReturn, workbookBuffer } from './helpers/workbooks.ts';
import { withDamagedEntry, withGapAfterFirstEntry } from './helpers/zip.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('excel-return.xlsx: a workbook as Excel saves it', () => {
  it('reads 8 pupils and 19 results from the second worksheet', async () => {
    const pulled = await readFixture('excel-return.xlsx');

    expect(pulled.pupils).toHaveLength(8);
    expect(pulled.results).toHaveLength(19);
    expect(pulled.summary).toEqual({ complete: true, cursor: {} });
  });

  it('reports the ignored columns, the unsaved formula and the error cell', async () => {
    const pulled = await readFixture('excel-return.xlsx');

    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'columns_ignored',
        message:
          '"excel-return.xlsx": the trust does not collect "Home address" and "Medical notes", ' +
          'so these columns were not read.',
      },
      {
        row: 5,
        field: 'Writing',
        code: 'formula_uncached',
        message:
          'Row 5, column "Writing": the formula =M5 has no saved result, so its text was read ' +
          'as the value. Open the file in Excel, save it and upload it again.',
      },
      {
        row: 6,
        field: 'Maths',
        code: 'cell_error',
        message:
          'Row 6, column "Maths": the cell shows the Excel error #N/A, so it was not read. ' +
          'Correct the formula or type the value in.',
      },
    ]);
  });

  it('reads dates stored as dates and as serial numbers alike', async () => {
    const pulled = await readFixture('excel-return.xlsx');

    expect(pulled.pupils.slice(0, 4).map((pupil) => pupil.dateOfBirth)).toEqual([
      '2016-03-14',
      '2015-11-02',
      '2016-09-21',
      '2017-06-30',
    ]);
    expect(pulled.results.find((r) => r.pupilExternalId === upn(6))?.assessedOn).toBe('2025-12-05');
  });

  it("gives a formula's saved result and never works a formula out", async () => {
    const pulled = await readFixture('excel-return.xlsx');
    const byId = new Map(pulled.results.map((result) => [result.externalId, result.value]));

    expect(byId.get(`${upn(2)}/reading/2025-12-05/`)).toBe('NX7');
    expect(byId.get(`${upn(3)}/writing/2025-12-05/`)).toBe('=M5');
  });

  it('reads TRUE and FALSE cells as flags', async () => {
    const pulled = await readFixture('excel-return.xlsx');

    expect([pulled.pupils[2]?.disadvantaged, pulled.pupils[5]?.disadvantaged]).toEqual([
      true,
      false,
    ]);
  });

  it('keeps numeric and written year groups as text', async () => {
    const pulled = await readFixture('excel-return.xlsx');

    expect(pulled.pupils.slice(0, 3).map((pupil) => pupil.ncYear)).toEqual(['4', 'Year 5', '4']);
  });

  it('never reads the address or medical columns into a pupil', async () => {
    const pulled = await readFixture('excel-return.xlsx');
    const text = JSON.stringify(pulled.pages.map((page) => page.page));

    expect(text).not.toMatch(/Quay Street|Asthma|Epipen/);
  });

  it('ignores the formatted blank rows below the data', async () => {
    const pulled = await readFixture('excel-return.xlsx');

    expect(pulled.pages.map((page) => page.checkpoint)).toEqual([{ row: 10 }, { row: 10 }]);
  });

  it('sends the whole workbook once, as the raw payload of the first page', async () => {
    const pulled = await readFixture('excel-return.xlsx');

    expect(pulled.pages[0]?.raw).toMatchObject({
      label: 'excel-return.xlsx',
      contentType: XLSX_TYPE,
    });
    expect(pulled.pages[1]?.raw).toBeNull();
  });

  it('reads the worksheet it is told to, whatever its position', async () => {
    const pulled = await readFixture('excel-return.xlsx', { sheetName: 'return' });

    expect(pulled.pupils).toHaveLength(8);
  });

  it('names the worksheets it has when the one asked for is missing', async () => {
    const pulled = await readFixture('excel-return.xlsx', { sheetName: 'Spring' });

    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'sheet_not_found',
        message:
          '"excel-return.xlsx" has no worksheet named "Spring". Its worksheets are "Read me" ' +
          'and "Return". Correct the worksheet name in the source settings, or rename the ' +
          'worksheet.',
      },
    ]);
  });

  it('says there is no header row when the worksheet asked for has none', async () => {
    const pulled = await readFixture('excel-return.xlsx', { sheetName: 'Read me' });

    expect(problemsOf(pulled).map((problem) => problem.message)).toEqual([
      '"excel-return.xlsx" has no header row in the first 10 rows of worksheet "Read me", so ' +
        'its columns cannot be recognised. Put the column names (such as "UPN", "Surname", ' +
        '"Forename" and "Reading") in one row at the top and upload the file again.',
    ]);
  });
});

describe('a workbook the streaming reader cannot walk', () => {
  it('is read again whole, with the same pupils, results and problems', async () => {
    const original = await readFixture('excel-return.xlsx');
    const padded = withGapAfterFirstEntry(fixture('excel-return.xlsx').bytes);

    const pulled = await pullAll(readSpreadsheet(upload('excel-return.xlsx', padded)));

    expect(pulled.pupils).toEqual(original.pupils);
    expect(pulled.results).toEqual(original.results);
    expect(pulled.problems).toEqual(original.problems);
    expect(pulled.summary.complete).toBe(true);
  });

  it('is reported as damaged when the whole read fails too', async () => {
    const bytes = withDamagedEntry(fixture('excel-return.xlsx').bytes, 'xl/worksheets/sheet2.xml');

    const pulled = await pullAll(readSpreadsheet(upload('damaged.xlsx', bytes)));

    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'xlsx_unreadable',
        message:
          '"damaged.xlsx" could not be read to its end because the workbook is damaged. Open ' +
          'it in Excel, save it again and upload it again.',
      },
    ]);
    expect(pulled.summary.complete).toBe(false);
  });
});

describe('a large workbook', () => {
  it('reads 4,500 pupils and 13,500 results in pages of 2,000 rows', async () => {
    const bytes = await largeReturn(4500);
    const pulled = await pullAll(readSpreadsheet(upload('large.xlsx', bytes)));

    expect(pulled.pages.map((page) => page.page.kind)).toEqual([
      'pupils',
      'results',
      'pupils',
      'results',
      'pupils',
      'results',
    ]);
    expect(pulled.pages.map(pageSize)).toEqual([2000, 6000, 2000, 6000, 500, 1500]);
    expect(pulled.pages.map((page) => page.checkpoint)).toEqual([
      { row: 2001 },
      { row: 2001 },
      { row: 4001 },
      { row: 4001 },
      { row: 4501 },
      { row: 4501 },
    ]);
    expect([pulled.pupils.length, pulled.results.length]).toEqual([4500, 13500]);
    expect(pulled.problems).toEqual([]);
    expect(pulled.summary.complete).toBe(true);
  });

  it('honours a smaller page size', async () => {
    const bytes = await largeReturn(25);
    const pulled = await pullAll(readSpreadsheet(upload('small.xlsx', bytes), { pageSize: 10 }));

    expect(pulled.pages.map(pageSize)).toEqual([10, 30, 10, 30, 5, 15]);
  });
});

describe('dates in a workbook', () => {
  it('counts serial numbers from 1904 in a workbook that uses the 1904 date system', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.properties.date1904 = true;
    const sheet = workbook.addWorksheet('Return');
    sheet.addRow(['UPN', 'Surname', 'Forename', 'DOB', 'Reading']);
    sheet.addRow([upn(1), 'Hughes', 'Amelia', 40_000, 'NX7']);
    const bytes = await workbookBuffer(workbook);

    const pulled = await pullAll(readSpreadsheet(upload('mac.xlsx', bytes)));

    expect(pulled.pupils[0]?.dateOfBirth).toBe('2013-07-07');
  });

  it('reports a value Excel has turned into a date rather than reading it', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Return');
    sheet.addRow(['UPN', 'Surname', 'Forename', 'Reading']);
    sheet.addRow([upn(1), 'Hughes', 'Amelia', new Date(Date.UTC(2026, 3, 3))]);
    sheet.getCell('D2').numFmt = 'd-mmm';
    const bytes = await workbookBuffer(workbook);

    const pulled = await pullAll(readSpreadsheet(upload('dated.xlsx', bytes)));

    expect(pulled.results).toEqual([]);
    expect(problemsOf(pulled)).toEqual([
      {
        row: 2,
        field: 'Reading',
        code: 'value_is_date',
        message:
          'Row 2, column "Reading": Excel has turned the value into the date 03/04/2026, so ' +
          'it was not read. Format the column as Text and type the value again.',
      },
    ]);
  });
});

function pageSize({ page }: PulledPage): number {
  if (page.kind === 'pupils') return page.pupils.length;
  if (page.kind === 'results') return page.results.length;
  return page.deletions.length;
}
