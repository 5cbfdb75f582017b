import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  buildTemplate,
  DEFAULT_SUBJECTS,
  readSpreadsheet,
} from '../../../src/connectors/spreadsheet/index.ts';
import { problemsOf, pullAll, upload } from './helpers/read.ts';
import { harbourLaneUpn as upn } from './helpers/upn.ts';
import { loadWorkbook, workbookBuffer } from './helpers/workbooks.ts';

const PUPIL_HEADERS = [
  'UPN',
  'Surname',
  'Forename',
  'Date of birth',
  'Year group',
  'Sex',
  'SEN status',
  'Disadvantaged',
  'EAL',
];

async function loadTemplate(layout: 'wide' | 'long'): Promise<ExcelJS.Workbook> {
  return loadWorkbook(await buildTemplate({ format: 'xlsx', layout, subjects: DEFAULT_SUBJECTS }));
}

function rowTexts(sheet: ExcelJS.Worksheet, row: number): unknown[] {
  const values = sheet.getRow(row).values;
  return Array.isArray(values) ? values.slice(1) : [];
}

describe('the XLSX template', () => {
  it('has a title row above the wide headers', async () => {
    const sheet = (await loadTemplate('wide')).getWorksheet('Return')!;

    expect(sheet.getCell('A1').value).toBe('Nexus MAT termly Next Steps return');
    expect(rowTexts(sheet, 2)).toEqual([
      ...PUPIL_HEADERS,
      'Assessment date',
      'Reading',
      'Writing',
      'Mathematics',
    ]);
  });

  it('puts Subject, Value and Assessment date after the pupil columns when long', async () => {
    const sheet = (await loadTemplate('long')).getWorksheet('Return')!;

    expect(rowTexts(sheet, 2)).toEqual([...PUPIL_HEADERS, 'Subject', 'Value', 'Assessment date']);
  });

  it('styles the header cells and formats the date columns', async () => {
    const sheet = (await loadTemplate('wide')).getWorksheet('Return')!;

    expect(sheet.getCell('A2').font?.bold).toBe(true);
    expect(sheet.getCell('A2').fill).toMatchObject({ type: 'pattern', pattern: 'solid' });
    expect([sheet.getColumn(4).numFmt, sheet.getColumn(10).numFmt]).toEqual([
      'dd/mm/yyyy',
      'dd/mm/yyyy',
    ]);
  });

  it('explains every column on a notes sheet', async () => {
    const notes = (await loadTemplate('wide')).getWorksheet('Notes')!;
    const explained = notes.getColumn(1).values.slice(1);

    expect(explained).toEqual(expect.arrayContaining([...PUPIL_HEADERS, 'Reading', 'Mathematics']));
    expect(JSON.stringify(notes.getColumn(2).values)).toContain('NX1 to NX13');
  });

  it('reads back a filled-in wide template with no problems', async () => {
    const workbook = await loadTemplate('wide');
    const sheet = workbook.getWorksheet('Return')!;
    const assessed = new Date(Date.UTC(2025, 11, 5));
    sheet.getRow(3).values = [
      upn(1),
      'Hughes',
      'Amelia',
      new Date(Date.UTC(2016, 2, 14)),
      '4',
      'F',
      'N',
      'N',
      'Y',
      assessed,
      'NX8',
      'NX7',
      'NX8',
    ];
    sheet.getRow(4).values = [
      upn(2),
      'Iqbal',
      'Mohammed',
      new Date(Date.UTC(2015, 10, 2)),
      '5',
      'M',
      'K',
      'Y',
      'Y',
      assessed,
      'NX7',
      '',
      '3/4',
    ];

    const pulled = await pullAll(
      readSpreadsheet(upload('filled.xlsx', await workbookBuffer(workbook))),
    );

    expect(problemsOf(pulled)).toEqual([]);
    expect(pulled.pupils.map((pupil) => [pupil.upn, pupil.dateOfBirth, pupil.eal])).toEqual([
      [upn(1), '2016-03-14', true],
      [upn(2), '2015-11-02', true],
    ]);
    expect(pulled.results.map((result) => [result.externalId, result.value])).toEqual([
      [`${upn(1)}/reading/2025-12-05/`, 'NX8'],
      [`${upn(1)}/writing/2025-12-05/`, 'NX7'],
      [`${upn(1)}/mathematics/2025-12-05/`, 'NX8'],
      [`${upn(2)}/reading/2025-12-05/`, 'NX7'],
      [`${upn(2)}/mathematics/2025-12-05/`, '3/4'],
    ]);
    expect(pulled.summary.complete).toBe(true);
  });

  it('reads back a filled-in long template with no problems', async () => {
    const workbook = await loadTemplate('long');
    const sheet = workbook.getWorksheet('Return')!;
    const pupil = [
      upn(1),
      'Hughes',
      'Amelia',
      new Date(Date.UTC(2016, 2, 14)),
      '4',
      'F',
      'N',
      'N',
      'Y',
    ];
    for (const [index, subject] of ['Reading', 'Writing', 'Mathematics'].entries()) {
      sheet.getRow(3 + index).values = [...pupil, subject, `NX${7 + index}`, '05/12/2025'];
    }

    const pulled = await pullAll(
      readSpreadsheet(upload('long.xlsx', await workbookBuffer(workbook))),
    );

    expect(problemsOf(pulled)).toEqual([]);
    expect(pulled.pupils).toHaveLength(1);
    expect(pulled.results.map((result) => [result.aspect.key, result.value])).toEqual([
      ['Reading', 'NX7'],
      ['Writing', 'NX8'],
      ['Mathematics', 'NX9'],
    ]);
  });

  it('carries the subjects it is given, which the reader then reads', async () => {
    const subjects = [{ code: 'science', name: 'Science' }];
    const workbook = await loadWorkbook(
      await buildTemplate({ format: 'xlsx', layout: 'wide', subjects }),
    );
    workbook.getWorksheet('Return')!.getRow(3).values = [upn(1), 'Hughes', 'Amelia'];
    workbook.getWorksheet('Return')!.getCell('K3').value = 'NX7';

    const filled = upload('science.xlsx', await workbookBuffer(workbook));
    const pulled = await pullAll(readSpreadsheet(filled, { subjects }));

    expect(problemsOf(pulled)).toEqual([]);
    expect(pulled.results.map((result) => [result.externalId, result.value])).toEqual([
      [`${upn(1)}/science//`, 'NX7'],
    ]);
  });
});

describe('the CSV template', () => {
  it('is one header line, UTF-8 with a byte-order mark', async () => {
    const bytes = await buildTemplate({
      format: 'csv',
      layout: 'wide',
      subjects: DEFAULT_SUBJECTS,
    });

    expect(bytes.toString('utf8')).toBe(
      '\uFEFFUPN,Surname,Forename,Date of birth,Year group,Sex,SEN status,Disadvantaged,EAL,' +
        'Assessment date,Reading,Writing,Mathematics\r\n',
    );
  });

  it('reads back once rows are added under the header', async () => {
    const template = await buildTemplate({
      format: 'csv',
      layout: 'long',
      subjects: DEFAULT_SUBJECTS,
    });
    const row = `${upn(1)},Hughes,Amelia,14/03/2016,4,F,N,N,Y,Writing,NX7,05/12/2025\r\n`;

    const pulled = await pullAll(
      readSpreadsheet(upload('long.csv', Buffer.concat([template, Buffer.from(row)]))),
    );

    expect(problemsOf(pulled)).toEqual([]);
    expect(pulled.results.map((result) => result.externalId)).toEqual([
      `${upn(1)}/writing/2025-12-05/`,
    ]);
  });
});
