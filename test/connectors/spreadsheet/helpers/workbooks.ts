import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { harbourLaneUpn } from './upn.ts';

const FORENAMES = ['Amelia', 'Mohammed', 'Olivia', 'Noah', 'Aisha', 'Leo', 'Priya', 'Kwame'];
const SURNAMES = ['Hughes', 'Iqbal', 'Nowak', 'Okafor', 'Begum', 'Patel', 'Mensah', 'Evans'];

/** Opens a workbook as a person editing it would: whole, in memory. */
export async function loadWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.read(Readable.from([bytes]));
  return workbook;
}

export async function workbookBuffer(workbook: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A wide return for a large school: one header row, then `count` pupils with 3 results each. */
export async function largeReturn(count: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Return');
  sheet.addRow(['UPN', 'Surname', 'Forename', 'Date of birth', 'Reading', 'Writing', 'Maths']);
  for (let index = 0; index < count; index++) {
    const dateOfBirth = new Date(Date.UTC(2015 + (index % 6), index % 12, 1 + (index % 28)));
    const upn = harbourLaneUpn(index % 1000, String(20 + Math.floor(index / 1000)));
    const names = [SURNAMES[index % 8], FORENAMES[(index * 3) % 8]];
    sheet.addRow([upn, ...names, dateOfBirth, `NX${3 + (index % 7)}`, 'NX6', 'NX7']);
    sheet.getCell(index + 2, 4).numFmt = 'dd/mm/yyyy';
  }
  return workbookBuffer(workbook);
}
