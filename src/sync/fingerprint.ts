import { hash } from 'node:crypto';

/** A content fingerprint: equal records give equal fingerprints, whatever their key order. */
export function fingerprint(record: unknown): string {
  return hash('sha256', canonical(record), 'base64url');
}

/** JSON with object keys in code-unit order and undefined members left out. */
function canonical(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) out += ',';
      out += canonical(value[index]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  // Records are usually built with their keys in order already; sorting is then a wasted pass.
  if (!inOrder(keys)) keys.sort();
  let out = '{';
  for (const key of keys) {
    const inner = record[key];
    if (inner === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${quotedKey(key)}:${canonical(inner)}`;
  }
  return `${out}}`;
}

// Records share a few keys: each is written out once.
const QUOTED = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = QUOTED.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (QUOTED.size < 1000) QUOTED.set(key, quoted);
  }
  return quoted;
}

function inOrder(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index += 1) {
    if (keys[index - 1]! > keys[index]!) return false;
  }
  return true;
}
