import { createHash } from 'node:crypto';

/** A content fingerprint: equal records give equal fingerprints, whatever their key order. */
export function fingerprint(record: unknown): string {
  return createHash('sha256').update(canonical(record)).digest('base64url');
}

/** JSON with object keys in code-unit order and undefined members left out. */
function canonical(value: unknown): string {
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
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const inner = record[key];
    if (inner === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonical(inner)}`;
  }
  return `${out}}`;
}
