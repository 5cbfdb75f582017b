import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_FILE_BYTES,
  problemLevel,
  readSpreadsheet,
} from '../../../src/connectors/spreadsheet/index.ts';
import { problemsOf, pullAll, readFixture } from './helpers/read.ts';

const FIXTURES = readdirSync(new URL('./fixtures/', import.meta.url)).filter(
  (name) => !name.endsWith('.ts'),
);

describe('problems', () => {
  it('carry a code with a level in the catalogue, and the file as their location', async () => {
    for (const name of FIXTURES) {
      const pulled = await readFixture(name);
      for (const problem of pulled.problems) {
        expect(problemLevel(problem.code), `${name}: ${problem.code}`).not.toBeNull();
        expect(problem.location).toBe(name);
      }
    }
  });

  it('rank ignored columns as info and lost cells as errors', () => {
    expect([problemLevel('columns_ignored'), problemLevel('date_invalid')]).toEqual([
      'info',
      'error',
    ]);
    expect(problemLevel('no_such_code')).toBeNull();
  });

  it('refuse a file over the size limit without opening it', async () => {
    const file = {
      fileName: 'huge.xlsx',
      byteSize: MAX_FILE_BYTES + 1,
      open: () => {
        throw new Error('a file over the limit must not be opened');
      },
    };

    const pulled = await pullAll(readSpreadsheet(file));

    expect(problemsOf(pulled)).toEqual([
      {
        row: null,
        field: null,
        code: 'file_too_large',
        message:
          '"huge.xlsx" is larger than 20 MB, far more than a school\'s return needs. Delete ' +
          'other worksheets and columns, or save it as CSV, and upload it again.',
      },
    ]);
    expect(pulled.pages[0]?.raw).toBeNull();
    expect(pulled.summary.complete).toBe(false);
  });
});
