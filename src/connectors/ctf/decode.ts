import iconv from 'iconv-lite';
import type { UploadedFile } from '../contract.ts';
import { CtfFileError } from './failure.ts';

/**
 * The uploaded bytes as text, in slices small enough that the parser never holds much at once,
 * even when the engine hands the whole file over as one buffer. CTFs are UTF-8 (B.1); a byte
 * order mark or the XML declaration may say otherwise, and we follow them.
 */

const SLICE_BYTES = 64 * 1024;
// The XML declaration, where there is one, is at the very start.
const SNIFF_BYTES = 1024;
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const GZIP = Buffer.from([0x1f, 0x8b]);
type Encoding = Parameters<typeof iconv.getDecoder>[0];

const DECLARED_ENCODING = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;

export async function* xmlText(file: UploadedFile, signal: AbortSignal): AsyncGenerator<string> {
  let decoder: iconv.DecoderStream | null = null;
  let head = Buffer.alloc(0);
  let started = false;

  for await (const chunk of file.open()) {
    stopIfAborted(signal, file.fileName);
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
    if (!decoder) {
      head = Buffer.concat([head, bytes]);
      if (head.length < SNIFF_BYTES) continue;
      decoder = decoderFor(file.fileName, head);
    }
    for (const text of decodeSlices(decoder, head.length > 0 ? head : bytes)) {
      if (!started) started = checkStart(file.fileName, text);
      yield text;
    }
    head = Buffer.alloc(0);
  }

  decoder ??= decoderFor(file.fileName, head);
  const rest = [...decodeSlices(decoder, head), decoder.end() ?? ''].join('');
  if (!started) checkStart(file.fileName, rest, true);
  if (rest !== '') yield rest;
}

export function stopIfAborted(signal: AbortSignal, location: string): void {
  if (!signal.aborted) return;
  throw new CtfFileError(
    'transient',
    'aborted',
    `The read of "${location}" was stopped before it finished; the next run carries on from ` +
      'the last saved page.',
  );
}

function* decodeSlices(decoder: iconv.DecoderStream, bytes: Buffer): Generator<string> {
  for (let start = 0; start < bytes.length; start += SLICE_BYTES) {
    const text = decoder.write(bytes.subarray(start, start + SLICE_BYTES));
    if (text !== '') yield text;
  }
}

function decoderFor(location: string, head: Buffer): iconv.DecoderStream {
  if (head.subarray(0, 4).equals(ZIP) || head.subarray(0, 2).equals(GZIP)) {
    throw new CtfFileError(
      'bad_data',
      'ctf_zipped',
      `"${location}" is a compressed archive, not the CTF itself. Extract the .xml file from ` +
        'it and upload that.',
    );
  }
  return iconv.getDecoder(encodingOf(location, head));
}

function encodingOf(location: string, head: Buffer): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';

  const declared = DECLARED_ENCODING.exec(head.toString('latin1'))?.[1];
  // An older Windows MIS writes "Zoë" in Windows-1252 and declares nothing: read as UTF-8, every
  // accented letter would be lost.
  if (declared === undefined) return isUtf8Start(head) ? 'utf8' : 'win1252';
  if (iconv.encodingExists(declared)) return declared;
  const written: string = declared;
  throw new CtfFileError(
    'bad_data',
    'ctf_encoding_unknown',
    `"${location}" says its text is in the "${written.slice(0, 30)}" encoding, which we ` +
      'cannot read. A CTF is UTF-8: export it from the MIS again.',
  );
}

/** The start of the file is UTF-8 (a character cut at the end of it is allowed). */
function isUtf8Start(head: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** True once the text has begun; refuses a file whose first character cannot start XML. */
function checkStart(location: string, text: string, atEnd = false): boolean {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) {
    if (!atEnd) return false;
    throw new CtfFileError(
      'bad_data',
      'ctf_empty',
      `"${location}" is empty. Export the CTF from the school's MIS again and upload it.`,
    );
  }
  if (first === '<') return true;
  throw new CtfFileError(
    'bad_data',
    'ctf_not_xml',
    `"${location}" is not XML, so it is not a Common Transfer File (a CTF starts with "<"). ` +
      'It may be a spreadsheet or a PDF: upload the .xml file that the MIS or S2S gives you.',
  );
}
