/** The DfE's check letters: I, O and S are left out, as they read like 1, 0 and 5. */
const CHECK_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * A valid UPN from its parts: LA number (3 digits), DfE establishment number (4), year of
 * allocation (2) and serial (3). The check letter weighs characters 2 to 13 by 2 to 13.
 */
export function makeUpn(la: string, school: string, year: string, serial: number): string {
  const digits = `${la}${school}${year}${String(serial).padStart(3, '0')}`;
  if (!/^\d{12}$/.test(digits)) throw new RangeError(`not 12 digits: ${digits}`);
  const sum = [...digits].reduce((total, digit, index) => total + Number(digit) * (index + 2), 0);
  return `${CHECK_LETTERS[sum % 23]}${digits}`;
}

/** Harbour Lane Primary, the fixtures' school: LA 801, school 2417, UPNs allocated in 2019. */
export function harbourLaneUpn(serial: number, year = '19'): string {
  return makeUpn('801', '2417', year, serial);
}
