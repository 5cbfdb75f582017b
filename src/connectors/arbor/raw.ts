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

  /** Everything since the last take, as one payload; null when nothing was read. */
  take(): RawPayload | null {
    const parts = this.parts;
    this.parts = [];
    if (parts.length === 0) return null;
    if (parts.length === 1) return parts[0]!;
    return multipart(parts);
  }

  /** Forgets what was read for a page that is not yielded. */
  drop(): void {
    this.parts = [];
  }
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
