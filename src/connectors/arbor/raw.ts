import { randomUUID } from 'node:crypto';
import type { RawPayload } from '../contract.ts';

/** One answer as received: the request that asked for it and its bytes. */
export interface RawPart {
  label: string;
  contentType: string;
  body: Buffer;
}

/**
 * The answers one page was built from. Arbor's REST API spreads a pupil over several resources
 * (student, person, UPN, SEN and pupil premium records), so a page is usually several answers;
 * they are kept together as multipart/mixed, each part labelled with its request, so that the
 * page can be replayed exactly as it came.
 */
export class RawLog {
  private parts: RawPart[] = [];

  add(part: RawPart): void {
    this.parts.push(part);
  }

  /** How many answers were read since the last take. */
  get size(): number {
    return this.parts.length;
  }

  /**
   * Everything since the last take, as one payload; null when nothing was read. A note is
   * added to its label: a replay reads the page by it, and the console shows it.
   */
  take(note = ''): RawPayload | null {
    const parts = this.parts;
    this.parts = [];
    if (parts.length === 0) return null;
    const payload = parts.length === 1 ? parts[0]! : multipart(parts);
    return { ...payload, label: `${payload.label}${note}` };
  }

  /** Like take, but keeps the answers for the page that follows, which is built from them too. */
  share(note: string): RawPayload | null {
    const parts = this.parts;
    const payload = this.take(note);
    this.parts = [...parts];
    return payload;
  }

  /** Forgets what was read for a page that is not yielded. */
  drop(): void {
    this.parts = [];
  }
}

/** Marks the page of deletions a changelog page gives before the records it changed. */
export const DELETIONS_NOTE = ' (deletions)';

/** The answers a kept page holds, in the order they were read; null when it is not one. */
export function readBundle(raw: RawPayload): RawPart[] | null {
  const boundary = /^multipart\/mixed;\s*boundary=(\S+)$/i.exec(raw.contentType)?.[1];
  if (!boundary) return [{ ...raw, label: withoutNote(raw.label) }];
  const parts: RawPart[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = raw.body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (raw.body.subarray(start, start + 2).toString() === '--') return parts;
    const headEnd = raw.body.indexOf('\r\n\r\n', start);
    const next = raw.body.indexOf(delimiter, start);
    if (headEnd < 0 || next < 0 || headEnd > next) return null;
    const head = raw.body.subarray(start, headEnd).toString('utf8');
    const label = /^content-location: (.*)$/im.exec(head)?.[1];
    const contentType = /^content-type: (.*)$/im.exec(head)?.[1];
    if (!label || !contentType) return null;
    // Each body is followed by the CRLF written after it.
    parts.push({ label, contentType, body: raw.body.subarray(headEnd + 4, next - 2) });
    at = next;
  }
  return null;
}

function withoutNote(label: string): string {
  return label.endsWith(DELETIONS_NOTE) ? label.slice(0, -DELETIONS_NOTE.length) : label;
}

function multipart(parts: readonly RawPart[]): RawPayload {
  const boundary = `arbor-${randomUUID()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head =
      `--${boundary}\r\ncontent-type: ${part.contentType}\r\n` +
      `content-location: ${part.label}\r\n\r\n`;
    chunks.push(Buffer.from(head), part.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const more = parts.length - 1;
  return {
    label: `${parts[0]!.label} and ${more} more ${more === 1 ? 'request' : 'requests'}`,
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: Buffer.concat(chunks),
  };
}
