/**
 * Wonde's value types for flags such as free school meals are not published (research 1.8):
 * third parties treat them as booleans, and MIS exports write Y/N or Yes/No. All are read.
 */

const TRUE = new Set(['true', 'yes', 'y', '1', 't']);
const FALSE = new Set(['false', 'no', 'n', '0', 'f']);

export type Flag = { ok: true; value: boolean | null } | { ok: false; reason: string };

export function readFlag(value: unknown): Flag {
  if (value === null || value === undefined || value === '') return { ok: true, value: null };
  if (typeof value === 'boolean') return { ok: true, value };
  if (value === 1 || value === 0) return { ok: true, value: value === 1 };
  if (typeof value !== 'string') return { ok: false, reason: 'is not yes or no' };

  const text = value.trim().toLowerCase();
  if (TRUE.has(text)) return { ok: true, value: true };
  if (FALSE.has(text)) return { ok: true, value: false };
  return { ok: false, reason: `"${value}" is not yes or no` };
}

/** Disadvantaged (policy 8.1) is pupil premium, free school meals now, or FSM in six years. */
export function combineDisadvantaged(flags: readonly (boolean | null)[]): boolean | null {
  if (flags.includes(true)) return true;
  if (flags.includes(false)) return false;
  return null;
}
