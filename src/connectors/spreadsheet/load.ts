import type { UploadedFile } from '../contract.ts';

/** A return for a large primary school is well under 1 MB; anything far bigger is not one. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/**
 * The whole file, or null when it is over the limit. It is held in memory because the run keeps
 * its bytes as the raw payload, and a file's encoding can only be told from all of it.
 */
export async function loadBytes(
  file: UploadedFile,
  signal: AbortSignal | null,
): Promise<Buffer | null> {
  if (file.byteSize > MAX_FILE_BYTES) return null;
  const stream = file.open();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    const bytes: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_FILE_BYTES) {
      stream.destroy();
      return null;
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
