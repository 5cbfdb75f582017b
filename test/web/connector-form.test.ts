import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorKinds } from '../../src/connectors/registry.ts';
import { humanise, readSettings, settingsForm } from '../../src/web/console/connector-form.ts';
import type { ConnectorGroup } from '../../src/web/views/source-form.ts';

/** A connector's settings much as an MIS connector declares them. */
const config = z.object({
  baseUrl: z.string().url().default('https://api.example.test/v1/'),
  schoolId: z.string().regex(/^[A-Z0-9]{4,}$/, 'A school id is capitals and digits.'),
  authScheme: z.enum(['bearer', 'basic']).default('bearer'),
  pageSize: z.int().min(1).max(1000).default(200),
  includeLeavers: z.boolean().default(false),
  delta: z.object({ overlapMinutes: z.int().min(0).max(600).default(60) }).prefault({}),
  deletionTypes: z.array(z.string().min(1)).default(['student']),
  subjectNames: z.record(z.string(), z.string()).default({}),
});
const secrets = z.strictObject({
  token: z.string().min(8, 'Paste the whole token.'),
  clientSecret: z.string().min(1).optional(),
});

const CONFIG = { prefix: 'config', secret: false } as const;
const SECRETS = { prefix: 'secrets', secret: true } as const;

function fields(group: ConnectorGroup): ConnectorGroup['fields'] {
  return [...group.fields, ...group.groups.flatMap(fields)];
}

describe('a form made from a connector schema', () => {
  it('has an input of the right kind for every setting, nested objects as fieldsets', () => {
    const form = settingsForm(config, CONFIG, {}, new Map());
    const byName = new Map(fields(form).map((field) => [field.name, field]));
    expect([...byName.keys()]).toEqual([
      'config.baseUrl',
      'config.schoolId',
      'config.authScheme',
      'config.pageSize',
      'config.includeLeavers',
      'config.deletionTypes',
      'config.subjectNames',
      'config.delta.overlapMinutes',
    ]);
    expect(form.groups.map((group) => group.legend)).toEqual(['Delta']);
    expect(byName.get('config.schoolId')).toMatchObject({
      label: 'School ID',
      kind: 'text',
      required: true,
    });
    expect(byName.get('config.authScheme')).toMatchObject({
      kind: 'choice',
      choices: ['bearer', 'basic'],
      required: false,
      hint: 'Default: bearer.',
    });
    expect(byName.get('config.pageSize')).toMatchObject({
      label: 'Page size',
      kind: 'number',
      hint: 'A whole number from 1 to 1000. Default: 200.',
    });
    expect(byName.get('config.includeLeavers')?.kind).toBe('boolean');
    expect(byName.get('config.deletionTypes')?.kind).toBe('list');
    expect(byName.get('config.subjectNames')?.kind).toBe('map');
  });

  it('fills the inputs with saved settings', () => {
    const form = settingsForm(
      config,
      CONFIG,
      {
        schoolId: 'A1930499544',
        deletionTypes: ['student', 'pupil'],
        subjectNames: { ENG: 'English' },
      },
      new Map(),
    );
    const values = Object.fromEntries(fields(form).map((field) => [field.name, field.value]));
    expect(values['config.schoolId']).toBe('A1930499544');
    expect(values['config.deletionTypes']).toBe('student\npupil');
    expect(values['config.subjectNames']).toBe('ENG = English');
  });

  it('reads the inputs back as the types the schema wants, leaving blanks to the defaults', () => {
    const read = readSettings(config, CONFIG, {
      'config.schoolId': 'A1930499544',
      'config.authScheme': 'basic',
      'config.pageSize': '500',
      'config.includeLeavers': 'yes',
      'config.delta.overlapMinutes': '',
      'config.deletionTypes': 'student\r\n\r\n pupil ',
      'config.subjectNames': 'ENG = English\nMA: Mathematics',
      'config.baseUrl': '',
    });
    expect(read.errors).toEqual(new Map());
    expect(read.values).toEqual({
      schoolId: 'A1930499544',
      authScheme: 'basic',
      pageSize: 500,
      includeLeavers: true,
      deletionTypes: ['student', 'pupil'],
      subjectNames: { ENG: 'English', MA: 'Mathematics' },
    });
    expect(config.parse(read.values).delta.overlapMinutes).toBe(60);
  });

  it("puts each of the schema's refusals on its own field", () => {
    const read = readSettings(config, CONFIG, {
      'config.schoolId': 'not valid',
      'config.pageSize': 'lots',
      'config.delta.overlapMinutes': '9000',
    });
    expect(read.errors.get('config.pageSize')).toBe('Write a number.');
    const again = readSettings(config, CONFIG, {
      'config.schoolId': 'not valid',
      'config.delta.overlapMinutes': '9000',
    });
    expect(again.errors.get('config.schoolId')).toBe('A school id is capitals and digits.');
    expect(again.errors.get('config.delta.overlapMinutes')).toMatch(/600/);
  });
});

describe('secrets in the form', () => {
  it('are password inputs that never show a value, saying when one is stored', () => {
    const form = settingsForm(secrets, SECRETS, { token: 'sk_live_123456' }, new Map(), {
      token: 'sk_live_123456',
    });
    expect(form.fields.map((field) => [field.name, field.kind, field.value, field.stored])).toEqual(
      [
        ['secrets.token', 'secret', '', true],
        ['secrets.clientSecret', 'secret', '', false],
      ],
    );
  });

  it('keep the stored value when left blank, and take a new one when given', () => {
    const stored = { token: 'old-token-123', clientSecret: 'old-secret' };
    const kept = readSettings(secrets, SECRETS, { 'secrets.token': '' }, stored);
    expect(kept.values).toEqual(stored);
    const changed = readSettings(secrets, SECRETS, { 'secrets.token': 'new-token-456' }, stored);
    expect(changed.values).toEqual({ token: 'new-token-456', clientSecret: 'old-secret' });
    const none = readSettings(secrets, SECRETS, {});
    expect(none.errors.get('secrets.token')).toBeDefined();
  });
});

describe('every connector kind this build knows', () => {
  it('gives a form for its settings and its secrets', () => {
    for (const kind of connectorKinds()) {
      expect(() => settingsForm(kind.configSchema, CONFIG, {}, new Map())).not.toThrow();
      expect(() => settingsForm(kind.secretsSchema, SECRETS, {}, new Map())).not.toThrow();
    }
  });
});

describe('labels from setting names', () => {
  it('reads camelCase as words, with acronyms kept', () => {
    expect(humanise('pageDelayMs')).toBe('Page delay (ms)');
    expect(humanise('baseUrl')).toBe('Base URL');
    expect(humanise('aspectIds')).toBe('Aspect IDs');
    expect(humanise('fsmYears')).toBe('FSM years');
  });
});
