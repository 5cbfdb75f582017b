import type { FailureCategory } from '../contract.ts';

/**
 * Why a CTF could not be read at all. The HTTP catalogue of `ConnectorError` has no code for a
 * file that is not XML or not a CTF, so a file failure carries its own stable code; the engine
 * reads `category`, `code` and `message` from any error that has them.
 */
export type CtfFailureCode =
  | 'file_missing'
  | 'ctf_empty'
  | 'ctf_not_xml'
  | 'ctf_zipped'
  | 'ctf_encoding_unknown'
  | 'ctf_wrong_root'
  | 'aborted';

export class CtfFileError extends Error {
  override readonly name = 'CtfFileError';

  constructor(
    readonly category: FailureCategory,
    readonly code: CtfFailureCode,
    message: string,
  ) {
    super(message);
  }

  /** The fields a sync run stores and shows. */
  toJSON(): Record<string, unknown> {
    const { name, category, code, message } = this;
    return { name, category, code, message };
  }
}
