import { upnCheckLetter } from '../../src/domain/upn.ts';

/** A valid permanent UPN from an LA code, a school number, a year and a serial. */
export function makeUpn(la: number, establishment: number, year: number, serial: number): string {
  const rest =
    String(la).padStart(3, '0') +
    String(establishment).padStart(4, '0') +
    String(year % 100).padStart(2, '0') +
    String(serial).padStart(3, '0');
  return upnCheckLetter(rest) + rest;
}
