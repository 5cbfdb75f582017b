/** Signatures and offsets from the zip format (PKWARE APPNOTE, sections 4.3.12 and 4.3.16). */
const CENTRAL_HEADER = 0x02014b50;
const END_RECORD = 0x06054b50;
const END_RECORD_SIZE = 22;

/**
 * The same zip with `gap` zero bytes after its first entry, and its central directory moved to
 * match. A reader that follows the central directory reads it as before; one that walks the
 * local headers in turn meets bytes it cannot read.
 */
export function withGapAfterFirstEntry(zip: Buffer, gap = 16): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || zip.readUInt32LE(end) !== END_RECORD) throw new Error('not a zip');
  const directoryStart = zip.readUInt32LE(end + 16);
  const offsets = localOffsets(zip, directoryStart, end);
  const cut = offsets.toSorted((a, b) => a - b)[1] ?? directoryStart;

  const moved = Buffer.concat([zip.subarray(0, cut), Buffer.alloc(gap), zip.subarray(cut)]);
  shiftOffsets(moved, directoryStart + gap, cut, gap);
  moved.writeUInt32LE(directoryStart + gap, end + gap + 16);
  return moved.subarray(0, end + gap + END_RECORD_SIZE + zip.readUInt16LE(end + 20));
}

function localOffsets(zip: Buffer, start: number, end: number): number[] {
  const offsets: number[] = [];
  for (let at = start; at < end; at += centralHeaderLength(zip, at)) {
    offsets.push(zip.readUInt32LE(at + 42));
  }
  return offsets;
}

function shiftOffsets(zip: Buffer, start: number, from: number, gap: number): void {
  for (
    let at = start;
    zip.readUInt32LE(at) === CENTRAL_HEADER;
    at += centralHeaderLength(zip, at)
  ) {
    const offset = zip.readUInt32LE(at + 42);
    if (offset >= from) zip.writeUInt32LE(offset + gap, at + 42);
  }
}

function centralHeaderLength(zip: Buffer, at: number): number {
  return 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
}

/** The same zip with the compressed bytes of one entry overwritten, as a bad disk leaves it. */
export function withDamagedEntry(zip: Buffer, name: string): Buffer {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const damaged = Buffer.from(zip);
  for (let at = zip.readUInt32LE(end + 16); at < end; at += centralHeaderLength(zip, at)) {
    const entryName = zip.toString('utf8', at + 46, at + 46 + zip.readUInt16LE(at + 28));
    if (entryName !== name) continue;
    const local = zip.readUInt32LE(at + 42);
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    damaged.fill(0xff, data + 4, data + 40);
    return damaged;
  }
  throw new Error(`no entry ${name}`);
}
