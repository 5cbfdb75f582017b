import { z } from 'zod';
import type { ConnectorField, ConnectorGroup } from '../views/source-form.ts';

/**
 * A connector kind's settings as a form, made from its own zod schemas through
 * `z.toJSONSchema`: its properties, types, enums and required fields become inputs, nested
 * objects become fieldsets, and the secrets schema becomes password inputs. Reading the form
 * back turns each input into the type the schema expects, so the schema gives the errors.
 */

interface JsonProperty {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonProperty>;
  required?: string[];
  items?: JsonProperty;
  additionalProperties?: JsonProperty | boolean;
  anyOf?: JsonProperty[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  format?: string;
}

type Kind = ConnectorField['kind'];

interface Leaf {
  path: string[];
  name: string;
  kind: Kind;
  property: JsonProperty;
  required: boolean;
}

interface Branch {
  path: string[];
  leaves: Leaf[];
  branches: Branch[];
}

export type Settings = Record<string, unknown>;

export interface ReadSettings {
  values: Settings;
  errors: Map<string, string>;
  /** An error that belongs to no one field. */
  formError: string | null;
}

export interface SettingsOptions {
  prefix: 'config' | 'secrets';
  /** Secrets: password inputs, never filled in. */
  secret: boolean;
}

/** The form for a schema, filled with `values` and marked with `errors`. */
export function settingsForm(
  schema: z.ZodType,
  options: SettingsOptions,
  values: Settings,
  errors: Map<string, string>,
  stored: Settings = {},
): ConnectorGroup {
  return toGroup(describe(schema, options), null, values, errors, stored, options.secret);
}

/**
 * Reads the form's inputs for a schema, then checks them against it. A blank input is left out,
 * so the schema's default applies; a blank secret keeps the stored one (`keep`).
 */
export function readSettings(
  schema: z.ZodType,
  options: SettingsOptions,
  body: Record<string, unknown>,
  keep: Settings = {},
): ReadSettings {
  const tree = describe(schema, options);
  const errors = new Map<string, string>();
  const values: Settings = {};
  for (const leaf of leavesOf(tree)) {
    const raw = textOf(body[leaf.name]);
    if (raw.trim() === '') {
      const kept = valueAt(keep, leaf.path);
      if (options.secret && kept !== undefined) setAt(values, leaf.path, kept);
      continue;
    }
    const parsed = convert(leaf, raw);
    if ('error' in parsed) errors.set(leaf.name, parsed.error);
    else setAt(values, leaf.path, parsed.value);
  }
  if (errors.size > 0) return { values, errors, formError: null };

  const checked = schema.safeParse(values);
  if (checked.success) return { values, errors, formError: null };
  const names = new Set(leavesOf(tree).map((leaf) => leaf.name));
  let formError: string | null = null;
  for (const issue of checked.error.issues) {
    const name = fieldFor(names, options.prefix, issue.path.map(String));
    if (name && !errors.has(name)) errors.set(name, issue.message);
    if (!name) formError ??= issue.message;
  }
  return { values, errors, formError };
}

function describe(schema: z.ZodType, options: SettingsOptions): Branch {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonProperty;
  return branch(json, [], options);
}

function branch(object: JsonProperty, path: string[], options: SettingsOptions): Branch {
  const node: Branch = { path, leaves: [], branches: [] };
  const required = new Set(object.required ?? []);
  for (const [key, raw] of Object.entries(object.properties ?? {})) {
    const property = unwrap(raw);
    const at = [...path, key];
    if (property.type === 'object' && property.properties && !options.secret) {
      node.branches.push(branch(property, at, options));
      continue;
    }
    node.leaves.push({
      path: at,
      name: `${options.prefix}.${at.join('.')}`,
      kind: options.secret ? 'secret' : kindOf(property),
      property,
      required: required.has(key) && property.default === undefined,
    });
  }
  return node;
}

/** `T | null` comes out as anyOf; the form treats it as T that may be left blank. */
function unwrap(property: JsonProperty): JsonProperty {
  const options = property.anyOf?.filter((option) => option.type !== 'null');
  if (options?.length === 1) return { ...options[0], default: property.default };
  return property;
}

function kindOf(property: JsonProperty): Kind {
  if (property.enum) return 'choice';
  if (property.type === 'boolean') return 'boolean';
  if (property.type === 'integer' || property.type === 'number') return 'number';
  if (property.type === 'array') {
    const item = property.items?.type;
    return item === 'string' || item === 'number' || item === 'integer' ? 'list' : 'json';
  }
  if (property.type === 'object') {
    const extra = property.additionalProperties;
    return typeof extra === 'object' && extra.type === 'string' ? 'map' : 'json';
  }
  if (property.type === 'string') return 'text';
  return 'json';
}

function toGroup(
  node: Branch,
  legend: string | null,
  values: Settings,
  errors: Map<string, string>,
  stored: Settings,
  secret: boolean,
): ConnectorGroup {
  return {
    legend,
    fields: node.leaves.map((leaf) => ({
      name: leaf.name,
      id: `field-${leaf.name.replace(/\W+/g, '-')}`,
      label: humanise(leaf.path.at(-1)!),
      kind: leaf.kind,
      required: leaf.required,
      choices: choicesOf(leaf),
      hint: hintOf(leaf),
      value: secret ? '' : textFor(leaf, valueAt(values, leaf.path)),
      error: errors.get(leaf.name) ?? null,
      stored: secret && valueAt(stored, leaf.path) !== undefined,
    })),
    groups: node.branches.map((inner) =>
      toGroup(inner, humanise(inner.path.at(-1)!), values, errors, stored, secret),
    ),
  };
}

function choicesOf(leaf: Leaf): string[] {
  if (leaf.kind === 'boolean') return ['yes', 'no'];
  if (leaf.kind === 'choice') return (leaf.property.enum ?? []).map(String);
  return [];
}

function hintOf(leaf: Leaf): string {
  const { property } = leaf;
  const parts: string[] = [];
  if (leaf.kind === 'number') {
    const whole = property.type === 'integer' ? 'A whole number' : 'A number';
    if (property.minimum !== undefined && property.maximum !== undefined) {
      parts.push(`${whole} from ${property.minimum} to ${property.maximum}.`);
    } else parts.push(`${whole}.`);
  }
  if (leaf.kind === 'list') parts.push('One per line.');
  if (leaf.kind === 'map') parts.push('One per line, as CODE = Name.');
  if (leaf.kind === 'json') parts.push('Written as JSON.');
  if (property.format === 'uri') parts.push('A web address starting https://.');
  if (property.default !== undefined && leaf.kind !== 'secret') {
    const shown = textFor(leaf, property.default).replace(/\n/g, ', ');
    if (shown !== '' && shown !== '{}' && shown !== '[]') parts.push(`Default: ${shown}.`);
  }
  return parts.join(' ');
}

function textFor(leaf: Leaf, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (leaf.kind) {
    case 'boolean':
      return value ? 'yes' : 'no';
    case 'list':
      return Array.isArray(value) ? value.join('\n') : String(value);
    case 'map':
      return Object.entries(value as Record<string, unknown>)
        .map(([key, text]) => `${key} = ${String(text)}`)
        .join('\n');
    case 'json':
      return JSON.stringify(value, null, 2);
    default:
      return String(value);
  }
}

type Converted = { value: unknown } | { error: string };

function convert(leaf: Leaf, raw: string): Converted {
  const text = raw.trim();
  switch (leaf.kind) {
    case 'number': {
      const number = Number(text);
      return Number.isFinite(number) ? { value: number } : { error: 'Write a number.' };
    }
    case 'boolean':
      if (text === 'yes' || text === 'no') return { value: text === 'yes' };
      return { error: 'Choose yes or no.' };
    case 'choice': {
      const choice = (leaf.property.enum ?? []).find((option) => String(option) === text);
      return choice === undefined ? { error: 'Choose one of the options.' } : { value: choice };
    }
    case 'list': {
      const items = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
      const numeric = leaf.property.items?.type !== 'string';
      return { value: numeric ? items.map(Number) : items };
    }
    case 'map':
      return readMap(text);
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: 'Write this as JSON, such as ["a", "b"] or {"key": "value"}.' };
      }
    case 'secret':
      return { value: raw };
    default:
      return { value: text };
  }
}

function readMap(text: string): Converted {
  const map: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const match = /^\s*([^=:]+?)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (!match) return { error: `Write "${line.trim()}" as CODE = Name.` };
    map[match[1]!] = match[2]!;
  }
  return { value: map };
}

/** The field an issue's path belongs to: its own, or the nearest one above it. */
function fieldFor(names: Set<string>, prefix: string, path: string[]): string | null {
  for (let length = path.length; length > 0; length--) {
    const name = `${prefix}.${path.slice(0, length).join('.')}`;
    if (names.has(name)) return name;
  }
  return null;
}

function leavesOf(node: Branch): Leaf[] {
  return [...node.leaves, ...node.branches.flatMap(leavesOf)];
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join('\n');
  return '';
}

function valueAt(values: Settings, path: readonly string[]): unknown {
  let current: unknown = values;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function setAt(values: Settings, path: readonly string[], value: unknown) {
  let current = values;
  for (const key of path.slice(0, -1)) {
    current[key] ??= {};
    current = current[key] as Settings;
  }
  current[path.at(-1)!] = value;
}

const WORDS: Record<string, string> = {
  url: 'URL',
  id: 'ID',
  ids: 'IDs',
  api: 'API',
  http: 'HTTP',
  upn: 'UPN',
  fsm: 'FSM',
  csv: 'CSV',
  ms: '(ms)',
};

/** "pageDelayMs" as "Page delay (ms)", "baseUrl" as "Base URL". */
export function humanise(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .split(' ')
    .filter(Boolean)
    .map((word) => WORDS[word] ?? word);
  const first = words[0] ?? key;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...words.slice(1)].join(' ');
}
