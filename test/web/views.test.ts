import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/web/console/missing.ts';
import { localPath } from '../../src/web/console/session.ts';
import { pointsLine, runChart } from '../../src/web/views/chart.ts';
import { badge, postButton, table } from '../../src/web/views/components.ts';
import { age, count, duration, schedule, share } from '../../src/web/views/format.ts';
import { progressCell } from '../../src/web/views/status.ts';

describe('view parts', () => {
  it('escape what they are given', () => {
    expect(badge('<b>x</b>', 'good')).toContain('&#60;b&#62;x&#60;/b&#62;');
    const row = table('Pupils', [{ label: 'Name' }], ['<tr><td>fine</td></tr>']);
    expect(row).toContain('<tr><td>fine</td></tr>');
    expect(row).toContain('aria-label="Pupils" tabindex="0"');
  });

  it('give every one-button form its CSRF field', () => {
    const form = postButton({ action: '/sources/x/pause', label: 'Pause', csrf: 'token-1' });
    expect(form).toContain('<input type="hidden" name="_csrf" value="token-1" />');
    expect(form).toContain('method="post" action="/sources/x/pause"');
  });

  it('write a collection cell as words and a share, never colour alone', () => {
    const cell = progressCell({
      subjectId: 1,
      subject: 'Reading',
      state: 'needs confirmation',
      landed: 41,
      expected: 212,
      missingHref: '/schools/s/missing',
    });
    expect(cell).toContain('Needs confirmation');
    expect(cell).toContain('41 of 212, 19%');
  });
});

describe('the run chart', () => {
  const runs = [
    { label: '1 Dec', resultsSeen: 1840, durationMs: 61_000, failed: false },
    { label: '2 Dec', resultsSeen: 0, durationMs: 3_000, failed: true },
    { label: '3 Dec', resultsSeen: 1851, durationMs: 52_000, failed: false },
  ];

  it('labels both axes and every bar, and marks failed runs in words and a pattern', () => {
    const svg = runChart(runs);
    expect(svg).toContain('Results seen');
    expect(svg).toContain('Duration (seconds)');
    expect(svg).toContain('Run start date');
    expect(svg).toContain('>1851</text>');
    expect(svg).toContain('>failed</text>');
    expect(svg).toContain('fill="url(#hatch)"');
    expect(svg).toContain('role="img"');
  });

  it('draws nothing for a source with no runs', () => {
    expect(runChart([])).toBe('');
  });

  it("draws a pupil's points, including a point lower than the last", () => {
    const svg = pointsLine(
      'Reading',
      [
        { label: 'Sum 25/26', position: 7, code: 'NX7' },
        { label: 'Aut 26/27', position: 6, code: 'NX6' },
      ],
      13,
    );
    expect(svg).toContain('aria-label="Reading: Sum 25/26 NX7, Aut 26/27 NX6"');
    expect(svg).toContain('>NX6</text>');
  });
});

describe('words for figures', () => {
  it('reads shares, durations, ages and schedules as people say them', () => {
    expect(share(41, 212)).toBe('41 of 212, 19%');
    expect(share(211, 212)).toBe('211 of 212, 99%');
    expect(duration(64_000)).toBe('1 min 04 s');
    expect(duration(null)).toBe('–');
    const now = new Date('2026-12-03T12:00:00Z');
    expect(age(new Date('2026-11-30T11:00:00Z'), now)).toBe('3 days ago');
    expect(age(null, now)).toBe('never');
    expect(schedule('0 2 * * *')).toBe('02:00 every day (0 2 * * *)');
    expect(schedule('0 3 * * 6')).toBe('03:00 every Saturday (0 3 * * 6)');
    expect(schedule('every 6h')).toBe('every 6h');
  });

  it('groups counts in thousands as en-GB does, for whole numbers and the rest', () => {
    const british = new Intl.NumberFormat('en-GB');
    const values = [0, 7, 999, 1000, 2047, 60_000, 403_119, 1_343_557, -4512, 12.5, 1234.75];
    for (const value of values) expect(count(value)).toBe(british.format(value));
    expect(count(403_119)).toBe('403,119');
  });
});

describe('exports and redirects', () => {
  it('make a CSV cell that a spreadsheet shows as text', () => {
    expect(csvCell('=SUM(A1:A9)')).toBe(`"'=SUM(A1:A9)"`);
    expect(csvCell('-12')).toBe(`"'-12"`);
    expect(csvCell('@cmd')).toBe(`"'@cmd"`);
    expect(csvCell('+44')).toBe(`"'+44"`);
    expect(csvCell('O"Brien')).toBe('"O""Brien"');
    expect(csvCell('Amara')).toBe('"Amara"');
  });

  it('follow a next page only when it stays on this site', () => {
    expect(localPath('/schools/x?collection=3')).toBe('/schools/x?collection=3');
    for (const next of ['https://evil.example', '//evil.example', '/\\evil', '/\nx', undefined]) {
      expect(localPath(next)).toBeNull();
    }
  });
});
