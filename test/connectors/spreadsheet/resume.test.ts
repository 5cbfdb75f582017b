import { describe, expect, it } from 'vitest';
import { spreadsheetConnector } from '../../../src/connectors/spreadsheet/index.ts';
import { collectPull, repeated } from '../support.ts';
import { upload } from './helpers/read.ts';
import { harbourLaneUpn } from './helpers/upn.ts';

const ROWS = 4_800;

function bigReturn() {
  const lines = ['UPN,Surname,Forename,Date of birth,Year group,Assessment date,Reading,Maths'];
  for (let n = 1; n <= ROWS; n += 1) {
    const upn = harbourLaneUpn(n % 1000, String(19 + Math.floor(n / 1000)));
    lines.push(`${upn},Pupil${n},Test,14/03/2016,Y6,27/11/2026,EXS,GDS`);
  }
  return Buffer.from(lines.join('\r\n'));
}

describe('a resumed spreadsheet pull', () => {
  it('goes on after the pages its run saved, neither skipping nor repeating a row', async () => {
    const bytes = bigReturn();
    const file = () => upload('harbour-lane.csv', bytes);
    const whole = await collectPull(spreadsheetConnector, {
      config: {},
      secrets: {},
      file: file(),
    });
    expect(whole.checkpoints).toHaveLength(6);

    // Pages go pupils, results for each 2,000 rows: the run saved rows 1-2,000 and the pupils
    // of rows 2,001-4,000.
    const saved = whole.checkpoints[2]!;
    const rest = await collectPull(spreadsheetConnector, {
      config: {},
      secrets: {},
      file: file(),
      resumeFrom: saved,
    });
    const firstPart = whole.results.slice(0, 4_000);
    const ids = [...firstPart, ...rest.results].map((r) => r.externalId);
    expect(repeated(ids)).toEqual([]);
    expect(new Set(ids)).toEqual(new Set(whole.results.map((r) => r.externalId)));
    expect(rest.pupils).toHaveLength(ROWS - 4_000);
  });
});
