import type { SourcePupil } from '../../../../src/connectors/contract.ts';
import type { SyntheticPupil } from '../../../../src/fakes/school.ts';
import { assessmentsFor, type CtfSpec, type PlannedAssessment } from './ctf-xml.ts';

/** What the connector should make of a synthetic pupil written into a full CTF. */
export function expectedPupil(pupil: SyntheticPupil): SourcePupil {
  return {
    externalId: pupil.upn,
    upn: pupil.upn,
    formerUpn: null,
    firstName: pupil.firstName,
    lastName: pupil.lastName,
    dateOfBirth: pupil.dateOfBirth,
    sex: pupil.sex,
    // As NCyearActual writes it: "R", "4", "X".
    ncYear: pupil.ncYear.replace(/^Y/, ''),
    senStatus: pupil.senStatus,
    disadvantaged: pupil.disadvantaged,
    eal: pupil.eal,
    onRollFrom: pupil.onRollFrom,
    onRollTo: null,
  };
}

/** The aspect key the research's codes give: stage/subject/method/component#qualifier. */
export function aspectKey(planned: PlannedAssessment): string {
  const parts = [planned.stage, planned.subject, planned.method, planned.component || '-'];
  return parts.join('/') + (planned.qualifier ? `#${planned.qualifier}` : '');
}

/** Every result the file records, as `externalId value`; blank results record nothing. */
export function expectedResults(spec: CtfSpec, pupils = spec.school.pupils): string[] {
  return pupils.flatMap((pupil) =>
    assessmentsFor(spec, pupil)
      .filter((planned) => planned.result !== '')
      .map((planned) => `${pupil.upn}/${aspectKey(planned)}/${planned.year} ${planned.result}`),
  );
}
