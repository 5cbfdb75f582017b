import type { UpnProblem } from '../../domain/upn.ts';
import type { RecordProblem } from '../contract.ts';

/**
 * The problems a CTF read reports. None stops the read: a pupil or result that cannot be read
 * is named with its line in the file, and the rest of the file still comes through.
 */
export type CtfProblemCode =
  | UpnProblem
  | 'ctf_doctype_ignored'
  | 'ctf_truncated'
  | 'ctf_malformed'
  | 'ctf_no_pupils'
  | 'ctf_header_missing'
  | 'ctf_date_invalid'
  | 'xml_entity_unexpanded'
  | 'pupil_unidentified'
  | 'pupil_repeated'
  | 'date_invalid'
  | 'sex_unrecognised'
  | 'sen_unrecognised'
  | 'assessment_incomplete'
  | 'assessment_repeated'
  | 'outcome_unknown';

/** Where a problem is: the file, and the XML line of the element, in `row`. */
export interface Place {
  location: string;
  line: number | null;
}

export function problem(
  place: Place,
  field: string | null,
  code: CtfProblemCode,
  message: string,
): RecordProblem {
  return { location: place.location, row: place.line, field, code, message };
}
