import iconv from 'iconv-lite';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
}

/** What a decoder gives for bytes it cannot read. */
export const UNREADABLE = '\uFFFD';
const UTF8_BOM = [0xef, 0xbb, 0xbf];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

/**
 * Decodes a CSV or text export. A byte-order mark decides; without one, text that is not valid
 * UTF-8, and has no UTF-8 letters beyond ASCII either, is taken to be Windows-1252, which is what Excel on Windows saves as "CSV" in the UK,
 * so that "Zoë" and "O’Brien" survive.
 */
export function decodeText(bytes: Buffer): DecodedText {
  if (startsWith(bytes, UTF8_BOM)) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (startsWith(bytes, UTF16LE_BOM)) {
    return { text: iconv.decode(bytes.subarray(2), 'utf16-le'), encoding: 'utf-16le' };
  }
  if (startsWith(bytes, UTF16BE_BOM)) {
    return { text: iconv.decode(bytes.subarray(2), 'utf16-be'), encoding: 'utf-16be' };
  }
  return (
    strictUtf8(bytes) ??
    mostlyUtf8(bytes) ?? { text: iconv.decode(bytes, 'win1252'), encoding: 'windows-1252' }
  );
}

function startsWith(bytes: Buffer, mark: readonly number[]): boolean {
  return mark.every((byte, index) => bytes[index] === byte);
}

/**
 * UTF-8 with a few bytes that are not, as when a name is pasted in from an older program: read
 * as Windows-1252, every "ë" of the rest would turn into "Ã«". The bytes that are not UTF-8
 * are left as U+FFFD, which the reader reports cell by cell.
 */
function mostlyUtf8(bytes: Buffer): DecodedText | null {
  const text = new TextDecoder('utf-8').decode(bytes);
  const readable = text.replaceAll(UNREADABLE, '');
  return /[^ -~\s]/.test(readable) ? { text, encoding: 'utf-8' } : null;
}

function strictUtf8(bytes: Buffer): DecodedText | null {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return null;
  }
}
