import { describe, expect, it } from 'vitest';
import type { PullContext, UploadedFile } from '../../../src/connectors/contract.ts';
import {
  type SpreadsheetConfig,
  SpreadsheetSourceError,
  spreadsheetConnector,
} from '../../../src/connectors/spreadsheet/index.ts';
import { fixture, problemsOf, pullAll } from './helpers/read.ts';

function pullContext(
  file: UploadedFile | null,
  config: SpreadsheetConfig = {},
): PullContext<SpreadsheetConfig, Record<string, never>> {
  return {
    config,
    secrets: {},
    mode: 'full',
    resumeFrom: null,
    cursor: null,
    file,
    signal: new AbortController().signal,
    log: () => {},
  };
}

describe('spreadsheetConnector', () => {
  it('is a file connector of kind "spreadsheet"', () => {
    expect([spreadsheetConnector.kind, spreadsheetConnector.transport]).toEqual([
      'spreadsheet',
      'file',
    ]);
  });

  it('answers a check without connecting to anything', async () => {
    const result = await spreadsheetConnector.check({
      config: {},
      secrets: {},
      signal: new AbortController().signal,
    });

    expect(result).toEqual({
      ok: true,
      category: null,
      message:
        'A spreadsheet source needs no connection: the school uploads its return each term, ' +
        'and the file is checked when it is read.',
      details: {},
    });
  });

  it('fails a pull with no uploaded file as a config failure', async () => {
    const pages = spreadsheetConnector.pull(pullContext(null));

    await expect(pages.next()).rejects.toSatisfy(
      (error) => error instanceof SpreadsheetSourceError && error.category === 'config',
    );
  });

  it('pulls the uploaded file, with the configured period label', async () => {
    const ctx = pullContext(fixture('windows-1252.csv'), { periodLabel: 'Autumn 2025' });

    const pulled = await pullAll(spreadsheetConnector.pull(ctx));

    expect(pulled.pupils).toHaveLength(5);
    expect(pulled.results.every((result) => result.periodLabel === 'Autumn 2025')).toBe(true);
    expect(pulled.results[0]?.externalId).toMatch(/\/reading\/2025-12-05\/Autumn 2025$/);
  });

  it('reads the layout it is configured with, whatever the headers suggest', async () => {
    const ctx = pullContext(fixture('windows-1252.csv'), { layout: 'long' });

    const pulled = await pullAll(spreadsheetConnector.pull(ctx));

    expect(problemsOf(pulled).map((problem) => problem.code)).toEqual(['column_missing']);
    expect(pulled.problems[0]?.message).toContain('a "Subject" column and a "Value" column');
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const ctx = { ...pullContext(fixture('windows-1252.csv')), signal: controller.signal };

    await expect(pullAll(spreadsheetConnector.pull(ctx))).rejects.toThrow();
  });
});

describe('the spreadsheet config', () => {
  it('accepts an empty config', () => {
    expect(spreadsheetConnector.configSchema.parse({})).toEqual({});
  });

  it('trims the sheet name and period label', () => {
    const config = spreadsheetConnector.configSchema.parse({
      sheetName: ' Return ',
      periodLabel: ' Spring 2026 ',
    });

    expect(config).toEqual({ sheetName: 'Return', periodLabel: 'Spring 2026' });
  });

  it('rejects a layout it does not know', () => {
    expect(spreadsheetConnector.configSchema.safeParse({ layout: 'diagonal' }).success).toBe(false);
  });

  it('keeps no secrets', () => {
    expect(spreadsheetConnector.secretsSchema.safeParse({ token: 'x' }).success).toBe(false);
  });
});
