import type { ArborRecord, ArborStore, ChangeEntry, Ref } from './store.ts';

/**
 * How the fake writes records, in the two ways the real REST API is reported to: listings whose
 * entries carry their properties (the SDK hydrates whatever the server returns, research 2), or
 * bare `{entityType, href}` entries that a client must fetch one by one, which is what a public
 * Ruby client describes for student listings.
 */
export type Detail = 'full' | 'summary';

export interface RenderOptions {
  detail: Detail;
  /** Resources the app may see but not read: their records come back as bare refs. */
  stripped: ReadonlySet<string>;
}

export function renderListed(
  store: ArborStore,
  record: ArborRecord,
  options: RenderOptions,
): unknown {
  if (options.detail === 'summary') return bare(record);
  return renderOne(store, record, options);
}

/** A record as `GET /rest-v2/{resource}/{id}` answers it. */
export function renderOne(store: ArborStore, record: ArborRecord, options: RenderOptions): unknown {
  if (isStripped(record, options)) return bare(record);

  const rendered: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    rendered[name] = renderValue(store, name, value, options);
  }
  return rendered;
}

export function renderChange(
  store: ArborStore,
  change: ChangeEntry,
  options: RenderOptions,
): unknown {
  return {
    changedObject: renderListed(store, change.snapshot, options),
    changeType: change.changeType,
    fromRevision: change.fromRevision,
    toRevision: change.toRevision,
  };
}

function renderValue(
  store: ArborStore,
  name: string,
  value: unknown,
  options: RenderOptions,
): unknown {
  if (!isRef(value) || options.detail === 'summary') return value;

  // A full listing embeds the person behind each student, and labels a grade with its code, as
  // in the research's example mark; other relations stay bare refs.
  const target = store.find(value);
  if (name === 'person' && target) return renderOne(store, target, options);
  if (name === 'grade' && target && !isStripped(target, options)) {
    return { ...value, code: target.code };
  }
  return value;
}

function isStripped(record: ArborRecord, options: RenderOptions): boolean {
  const path = record.href.split('/')[2] ?? '';
  return options.stripped.has(path);
}

function bare(record: ArborRecord): Ref {
  return { entityType: record.entityType, href: record.href };
}

function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && 'href' in value && 'entityType' in value;
}
