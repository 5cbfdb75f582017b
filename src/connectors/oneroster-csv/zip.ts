import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { RecordProblem, UploadedFile } from '../contract.ts';
import type { ZipLimits } from './config.ts';
import { megabytes, OneRosterZipError } from './errors.ts';
import { fileProblem, locate } from './problems.ts';

const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ARCHIVE = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const STORED = 0;
const DEFLATED = 8;
/** Node has zlib.crc32 from 20.15; on an older Node the sizes alone are checked. */
const CRC32: ((data: Buffer, value?: number) => number) | undefined =
  typeof zlib.crc32 === 'function' ? zlib.crc32 : undefined;
/** What macOS and Windows add to a zip made by hand; no exporter writes them. */
const OS_CLUTTER = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$)/;

/** The zip as listed in its central directory, with every entry it will read checked. */
export interface OpenedZip {
  /** The upload's own name, which starts every problem's location. */
  name: string;
  sha256: string;
  /** Entries that are safe to read, by their path inside the zip. */
  paths: ReadonlySet<string>;
  /** Entries refused for their path or format, as problems naming them. */
  refused: RecordProblem[];
  /** The entry's bytes as they inflate, checked against the limits as they come. */
  read(path: string): Promise<Readable>;
  close(): void;
}

/**
 * Opens an uploaded zip, refusing a zip bomb before anything is inflated: too many entries, or
 * sizes declared beyond the limits. An entry that inflates to more than it declared is stopped
 * while it is read. Entries with paths that climb out of the zip are refused one by one.
 */
export async function openZip(
  file: UploadedFile,
  limits: ZipLimits,
  signal: AbortSignal,
): Promise<OpenedZip> {
  const bytes = await loadBytes(file, limits, signal);
  const zip = await fromBytes(file.fileName, bytes);
  try {
    return await listEntries(file.fileName, bytes, zip, limits);
  } catch (error) {
    zip.close();
    throw error;
  }
}

async function loadBytes(file: UploadedFile, limits: ZipLimits, signal: AbortSignal) {
  if (file.byteSize > limits.zipBytes) throw uploadTooLarge(file.fileName, limits);
  const stream = file.open();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      if (signal.aborted) throw aborted(file.fileName);
      const bytes: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      size += bytes.length;
      if (size > limits.zipBytes) throw uploadTooLarge(file.fileName, limits);
      chunks.push(bytes);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

async function fromBytes(name: string, bytes: Buffer): Promise<ZipFile> {
  const head = bytes.subarray(0, 4);
  if (!head.equals(LOCAL_HEADER) && !head.equals(EMPTY_ARCHIVE)) {
    throw new OneRosterZipError(
      'not_a_zip',
      name,
      `"${name}" is not a zip file. Upload the zip that the OneRoster export produced, ` +
        'not one of the CSV files inside it.',
    );
  }
  try {
    // Names are decoded here rather than by yauzl, which fails the whole zip on one bad path.
    return await yauzl.fromBufferPromise(bytes, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: false,
    });
  } catch (error) {
    throw unreadable(name, error);
  }
}

async function listEntries(
  name: string,
  bytes: Buffer,
  zip: ZipFile,
  limits: ZipLimits,
): Promise<OpenedZip> {
  if (zip.entryCount > limits.entries) throw tooManyEntries(name, zip.entryCount, limits);

  const entries = new Map<string, Entry>();
  const refused: RecordProblem[] = [];
  let declared = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const path = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileNameRaw,
        entry.extraFields,
        false,
      );
      if (path.endsWith('/') || OS_CLUTTER.test(path)) continue;
      const refusal = refusalOf(name, path, entry, entries);
      if (refusal) {
        refused.push(refusal);
        continue;
      }
      if (entry.uncompressedSize > limits.entryBytes) {
        throw entryTooLarge(name, path, entry.uncompressedSize, limits);
      }
      declared += entry.uncompressedSize;
      if (declared > limits.totalBytes) throw zipTooLarge(name, declared, limits);
      entries.set(path, entry);
    }
  } catch (error) {
    if (error instanceof OneRosterZipError) throw error;
    throw unreadable(name, error);
  }

  return {
    name,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    paths: new Set(entries.keys()),
    refused,
    read: (path) => readEntry(zip, name, path, entries.get(path), limits),
    close: () => zip.close(),
  };
}

function refusalOf(
  name: string,
  path: string,
  entry: Entry,
  seen: ReadonlyMap<string, Entry>,
): RecordProblem | null {
  const location = locate(name, path);
  if (yauzl.validateFileName(path) !== null) {
    return fileProblem(
      location,
      'entry_unsafe_path',
      `"${path}" points outside the zip (an absolute path or one that climbs up with ".."), ` +
        'so it was not read. A OneRoster export keeps every file at the top of the zip: ' +
        'export it again, and tell the supplier if this keeps happening.',
    );
  }
  if (entry.isEncrypted() || ![STORED, DEFLATED].includes(entry.compressionMethod)) {
    return fileProblem(
      location,
      'entry_unsupported',
      `"${path}" is encrypted or packed in a way we cannot unpack, so it was not read. ` +
        'Zip the export again without a password, using ordinary (deflate) compression.',
    );
  }
  if (seen.has(path)) {
    return fileProblem(
      location,
      'entry_duplicate',
      `The zip holds "${path}" twice; only the first was read. Export it again.`,
    );
  }
  return null;
}

async function readEntry(
  zip: ZipFile,
  name: string,
  path: string,
  entry: Entry | undefined,
  limits: ZipLimits,
): Promise<Readable> {
  if (!entry) throw new Error(`no safe entry "${path}" in the zip`);
  const location = locate(name, path);
  let inflated: Readable;
  try {
    inflated = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw damaged(location, error);
  }
  const guard = new SizeGuard(location, entry, limits);
  inflated.on('error', (error) => guard.destroy(damaged(location, error)));
  return inflated.pipe(guard);
}

/**
 * Counts the bytes as they inflate. A zip bomb declares a small size and inflates to far more,
 * so the count is held to the declared size (and the limit) before each chunk passes on; the
 * CRC at the end catches an entry that was damaged but inflated to the right length.
 */
class SizeGuard extends Transform {
  readonly #location: string;
  readonly #declared: number;
  readonly #limit: number;
  readonly #crc: number;
  #bytes = 0;
  #runningCrc = 0;

  constructor(location: string, entry: Entry, limits: ZipLimits) {
    super();
    this.#location = location;
    this.#declared = entry.uncompressedSize;
    this.#limit = Math.min(entry.uncompressedSize, limits.entryBytes);
    this.#crc = entry.crc32;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#limit) {
      done(overflow(this.#location, this.#declared));
      return;
    }
    if (CRC32) this.#runningCrc = CRC32(chunk, this.#runningCrc);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const crcDiffers = CRC32 !== undefined && this.#runningCrc !== this.#crc;
    if (this.#bytes !== this.#declared || crcDiffers) {
      done(damaged(this.#location, new Error('size or CRC differs from the zip directory')));
      return;
    }
    done();
  }
}

function uploadTooLarge(name: string, limits: ZipLimits): OneRosterZipError {
  return new OneRosterZipError(
    'zip_too_large',
    name,
    `"${name}" is larger than ${megabytes(limits.zipBytes)}, far more than a OneRoster ` +
      "export for one school. Check it is the school's export, and export one school at a time.",
  );
}

function tooManyEntries(name: string, count: number, limits: ZipLimits): OneRosterZipError {
  return new OneRosterZipError(
    'zip_too_many_entries',
    name,
    `"${name}" holds ${count} files; a OneRoster export holds a few dozen at most (limit ` +
      `${limits.entries}), so it was not opened. Upload the export's own zip, unchanged.`,
  );
}

function entryTooLarge(name: string, path: string, size: number, limits: ZipLimits) {
  return new OneRosterZipError(
    'zip_too_large',
    locate(name, path),
    `"${path}" in "${name}" says it unpacks to ${megabytes(size)}, more than the ` +
      `${megabytes(limits.entryBytes)} allowed for one file, so the zip was not opened. A zip ` +
      'that claims to unpack to far more than it holds is how a "zip bomb" attacks a server; ' +
      'export the data again and tell the supplier.',
  );
}

function zipTooLarge(name: string, size: number, limits: ZipLimits): OneRosterZipError {
  return new OneRosterZipError(
    'zip_too_large',
    name,
    `The files in "${name}" say they unpack to more than ${megabytes(size)} in all (limit ` +
      `${megabytes(limits.totalBytes)}), so the zip was not opened. Export one school at a time.`,
  );
}

function overflow(location: string, declared: number): OneRosterZipError {
  return new OneRosterZipError(
    'zip_entry_overflow',
    location,
    `"${location}" unpacked to more than the ${declared} bytes its zip entry declares, so ` +
      'reading stopped. A zip that lies about its sizes may be a "zip bomb"; export the data ' +
      'again and tell the supplier.',
  );
}

function damaged(location: string, cause: unknown): OneRosterZipError {
  if (cause instanceof OneRosterZipError) return cause;
  return new OneRosterZipError(
    'zip_entry_damaged',
    location,
    `"${location}" is damaged inside the zip and could not be unpacked to its end. ` +
      'Upload the zip again; if that does not help, export it again.',
    cause,
  );
}

function unreadable(name: string, cause: unknown): OneRosterZipError {
  const text = cause instanceof Error ? cause.message : '';
  // yauzl looks for the closing record first; a zip cut short in an upload has none.
  if (/end of central directory record signature not found/i.test(text)) {
    return new OneRosterZipError(
      'zip_truncated',
      name,
      `"${name}" is not a complete zip: it may have been cut short while uploading or ` +
        'copying. Upload it again; if that does not help, export it again.',
      cause,
    );
  }
  return new OneRosterZipError(
    'zip_unreadable',
    name,
    `"${name}" is a damaged zip whose list of files cannot be read. Export it again.`,
    cause,
  );
}

function aborted(name: string): OneRosterZipError {
  return new OneRosterZipError('aborted', name, `Reading "${name}" was stopped before it ended.`);
}
