import { ConnectorError, type ConnectorErrorCode } from '../http/index.ts';

/** How messages name the source, so that a data lead knows which upload is meant. */
export const SYSTEM = 'OneRoster export';

/**
 * Why a OneRoster zip could not be read at all. The shared catalogue has no codes for a file
 * (it was written for HTTP), so each reason rides on the nearest catalogue code, which gives
 * the category, and is kept as `reason` for the run log and the tests.
 */
const REASONS = {
  upload_missing: 'schema_mismatch',
  zip_too_large: 'schema_mismatch',
  zip_too_many_entries: 'schema_mismatch',
  not_a_zip: 'schema_mismatch',
  zip_truncated: 'truncated_body',
  zip_unreadable: 'schema_mismatch',
  zip_entry_overflow: 'schema_mismatch',
  zip_entry_damaged: 'truncated_body',
  manifest_missing: 'schema_mismatch',
  manifest_unreadable: 'schema_mismatch',
  version_unsupported: 'schema_mismatch',
  aborted: 'aborted',
} as const satisfies Record<string, ConnectorErrorCode>;

export type ZipFailure = keyof typeof REASONS;

/** A OneRoster zip that cannot be read; it is a `ConnectorError`, so the engine files it. */
export class OneRosterZipError extends ConnectorError {
  readonly reason: ZipFailure;

  constructor(reason: ZipFailure, location: string, message: string, cause?: unknown) {
    super({
      code: REASONS[reason],
      system: SYSTEM,
      url: location,
      cause,
      describe: () => message,
    });
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/** "12.5 MB", for limits in messages a data lead reads. */
export function megabytes(bytes: number): string {
  const value = bytes / 1024 / 1024;
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} MB`;
}
