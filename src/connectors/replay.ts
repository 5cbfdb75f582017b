import type { RawPayload } from './contract.ts';

/**
 * What every API connector's replay shares: reading a kept page's JSON again, and the failure
 * for a kept page it cannot place.
 */

/** A kept page that no list of this connector reads: a replay cannot say what it held. */
export class KeptPageUnreadable extends Error {
  readonly category = 'bad_data';
  readonly code = 'kept_page_unreadable';

  constructor(system: string, label: string) {
    super(
      `A kept page of the replayed run (${label}) is not one ${system} pages are read from, ` +
        'so the run cannot be replayed. Start a new sync instead.',
    );
  }
}

/** The JSON of a kept page, as its pull parsed it; undefined when it is not JSON. */
export function keptJson(raw: Pick<RawPayload, 'body'>): unknown {
  try {
    return JSON.parse(raw.body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}
