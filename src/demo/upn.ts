import { upnCheckLetter } from '../domain/upn.ts';

/** A valid UPN for the demo's converting school (LA 801, establishment 0123). */
export function makeDemoUpn(serial: number): string {
  const rest = `8010123${'19'}${String(serial).padStart(3, '0')}`;
  return upnCheckLetter(rest) + rest;
}
