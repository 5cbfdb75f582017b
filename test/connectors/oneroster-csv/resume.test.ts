import { describe, expect, test } from 'vitest';
import type { PulledPage, RecordProblem } from '../../../src/connectors/contract.ts';
import {
  OneRosterZipError,
  oneRosterCsvConnector,
} from '../../../src/connectors/oneroster-csv/index.ts';
import { type PullOutcome, repeated } from '../support.ts';
import { config, pullDiesAfter, pullFixture, upload } from './helpers.ts';

interface Seen {
  pupils: string[];
  results: string[];
  deletions: string[];
  problems: string[];
}

function seenIn(pages: PulledPage[], outcome?: PullOutcome): Seen {
  const seen: Seen = { pupils: [], results: [], deletions: [], problems: [] };
  const key = (p: RecordProblem) => `${p.location} ${p.row} ${p.field} ${p.code}`;
  for (const { page, problems } of pages) {
    if (page.kind === 'pupils') seen.pupils.push(...page.pupils.map((p) => p.externalId));
    if (page.kind === 'results') seen.results.push(...page.results.map((r) => r.externalId));
    if (page.kind === 'deletions') seen.deletions.push(...page.deletions.map((d) => d.externalId));
    seen.problems.push(...problems.map(key));
  }
  if (outcome) {
    seen.pupils.push(...outcome.pupils.map((p) => p.externalId));
    seen.results.push(...outcome.results.map((r) => r.externalId));
    seen.deletions.push(...outcome.deletions.map((d) => d.externalId));
    seen.problems.push(...outcome.problems.map(key));
  }
  return seen;
}

const sorted = (ids: string[]) => [...ids].sort();

/** Dies after each page in turn, resumes, and compares the union with one whole pull. */
async function expectExactResumes(name: string, cuts: number[], settings = {}) {
  const whole = seenIn([], await pullFixture(name, { settings }));
  for (const count of cuts) {
    const cut = await pullDiesAfter(name, count, settings);
    const resumed = await pullFixture(name, { settings, resumeFrom: cut.checkpoint });
    expect(resumed.error).toBeNull();
    const union = seenIn(cut.pages, resumed);

    for (const kind of ['pupils', 'results', 'deletions', 'problems'] as const) {
      expect(repeated(union[kind]), `${kind} repeated after page ${count}`).toEqual([]);
      expect(sorted(union[kind]), `${kind} after page ${count}`).toEqual(sorted(whole[kind]));
    }
  }
}

describe('resuming a pull from its checkpoint', () => {
  test('of the 1,500-pupil package neither skips nor repeats a pupil or a result', async () => {
    const pages = (await pullFixture('bulk-1.2.zip')).checkpoints.length;
    await expectExactResumes('bulk-1.2.zip', [1, 2, 3, 4, 10, pages - 1]);
  });

  test('of a delta whose files mix changes and deletions is exact from every page', async () => {
    const settings = { pageSize: 2 };
    const pages = (await pullFixture('delta-1.2.zip', { settings })).checkpoints.length;
    expect(pages).toBeGreaterThan(20);
    await expectExactResumes(
      'delta-1.2.zip',
      Array.from({ length: pages - 1 }, (_, index) => index + 1),
      settings,
    );
  });

  test('sends each problem once, whichever page the pull died after', async () => {
    const settings = { pageSize: 3 };
    const outcome = await pullFixture('bad-dates.zip', { settings });
    expect(outcome.problems.length).toBeGreaterThan(3);
    await expectExactResumes(
      'bad-dates.zip',
      Array.from({ length: outcome.checkpoints.length - 1 }, (_, index) => index + 1),
      settings,
    );
  });

  test('after the last page gives nothing more', async () => {
    const whole = await pullFixture('delta-1.2.zip');
    const resumed = await pullFixture('delta-1.2.zip', { resumeFrom: whole.checkpoints.at(-1)! });

    expect([resumed.pupils, resumed.results, resumed.deletions, resumed.problems]).toEqual([
      [],
      [],
      [],
      [],
    ]);
  });

  test('of another upload is ignored, and the zip is read from its start', async () => {
    const other = await pullFixture('bulk-1.2.zip');
    const outcome = await pullFixture('delta-1.2.zip', { resumeFrom: other.checkpoints[2]! });

    expect(outcome.pupils).toHaveLength(4);
    expect(outcome.events[0]).toEqual({
      level: 'warn',
      code: 'resume_ignored',
      message:
        'The saved place to resume from is not for "delta-1.2.zip", so the whole zip is read ' +
        'again from the start.',
    });
  });
});

test('a cancelled run stops between pages, and its last checkpoint resumes it', async () => {
  const controller = new AbortController();
  const pull = oneRosterCsvConnector.pull({
    config: config(),
    secrets: {},
    mode: 'full',
    resumeFrom: null,
    cursor: null,
    file: upload('bulk-1.2.zip'),
    signal: controller.signal,
    log: () => {},
  });
  const first = await pull.next();
  controller.abort();
  const error = await pull.next().catch((caught: unknown) => caught);

  expect(first.done).toBe(false);
  expect(error).toBeInstanceOf(OneRosterZipError);
  expect(error).toMatchObject({ reason: 'aborted', code: 'aborted', category: 'transient' });
});
