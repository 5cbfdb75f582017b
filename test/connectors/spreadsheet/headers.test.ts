import { describe, expect, it } from 'vitest';
import { readSpreadsheet } from '../../../src/connectors/spreadsheet/index.ts';
import { problemsOf, pullAll, upload } from './helpers/read.ts';
import { harbourLaneUpn as upn } from './helpers/upn.ts';

function readCsv(lines: string[]) {
  return pullAll(readSpreadsheet(upload('return.csv', Buffer.from(lines.join('\r\n')))));
}

describe('finding and reading the header row', () => {
  it('recognises headers in any case, spacing and order, with a bracketed hint', async () => {
    const pulled = await readCsv([
      '  MATHS ,date of birth (dd/mm/yyyy),  unique  PUPIL number ,LAST NAME,first name',
      `NX8,14/03/2016,${upn(1)},Hughes,Amelia`,
    ]);

    expect(problemsOf(pulled)).toEqual([]);
    expect(pulled.pupils[0]).toMatchObject({
      upn: upn(1),
      lastName: 'Hughes',
      firstName: 'Amelia',
      dateOfBirth: '2016-03-14',
    });
    expect(pulled.results.map((result) => result.aspect.key)).toEqual(['MATHS']);
  });

  it('finds a header row on row 10 but not on row 11', async () => {
    const header = 'UPN,Surname,Forename,Reading';
    const row = `${upn(1)},Hughes,Amelia,NX7`;

    const onTen = await readCsv([...Array(9).fill(''), header, row]);
    const onEleven = await readCsv([...Array(10).fill(''), header, row]);

    expect(onTen.pupils).toHaveLength(1);
    expect(onEleven.problems.map((problem) => problem.code)).toEqual(['header_not_found']);
  });

  it('never quotes a pupil row when it finds no header', async () => {
    const pulled = await readCsv([`${upn(1)},Hughes,Amelia,NX7`]);

    expect(pulled.problems[0]?.message).not.toContain('Hughes');
  });

  it('reads the first of two columns for one field and reports the second', async () => {
    const pulled = await readCsv([
      'UPN,Surname,Forename,Maths,Mathematics',
      `${upn(1)},Hughes,Amelia,NX7,NX9`,
    ]);

    expect(pulled.results.map((result) => result.value)).toEqual(['NX7']);
    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'column_repeated',
        message:
          '"return.csv": column E ("Mathematics") repeats column D ("Maths"), so only column D ' +
          'was read. Delete or rename the repeated column.',
      },
    ]);
  });

  it('lists every missing column of a long layout forced by the settings', async () => {
    const pulled = await pullAll(
      readSpreadsheet(upload('return.csv', Buffer.from('Surname,Forename\r\nHughes,Amelia\r\n')), {
        layout: 'long',
      }),
    );

    expect(pulled.problems.map((problem) => problem.message)).toEqual([
      '"return.csv" cannot be read: it needs a "Subject" column and a "Value" column. Its ' +
        'header row (row 1) has "Surname" and "Forename". Add the missing columns and upload ' +
        'the file again.',
    ]);
  });

  it('skips blank rows between pupils and counts them in row numbers', async () => {
    const pulled = await readCsv([
      'UPN,Surname,Forename,Reading',
      `${upn(1)},Hughes,Amelia,NX7`,
      ',,,',
      '',
      `${upn(2)},Iqbal,Mohammed,NX6`,
    ]);

    expect(pulled.pupils).toHaveLength(2);
    expect(pulled.pages[0]?.checkpoint).toEqual({ row: 5 });
  });

  it('reads tab-separated text when it has no byte-order mark', async () => {
    const pulled = await readCsv([
      'UPN\tSurname\tForename\tReading',
      `${upn(1)}\tHughes\tAmelia\tNX7`,
    ]);

    expect(pulled.results.map((result) => result.value)).toEqual(['NX7']);
  });
});
