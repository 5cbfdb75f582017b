import type { FailureCategory } from '../contract.ts';

/** A pull that cannot start; `category` tells sync health what to do about it. */
export class SpreadsheetSourceError extends Error {
  constructor(
    readonly category: FailureCategory,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SpreadsheetSourceError';
  }
}
