/**
 * Readable names for the codes of a StageAssessment. Only MTC's codes (MAT, TT, MTC, MT) are
 * confirmed by DfE-written code; the rest are our reading of B.4 and can be renamed in the source
 * settings. A code we have no name for appears as written, so nothing is hidden.
 */

export const SUBJECT_NAMES: Readonly<Record<string, string>> = {
  ENG: 'English',
  MAT: 'Maths',
  SCI: 'Science',
  PHO: 'Phonics screening check',
};

export const COMPONENT_NAMES: Readonly<Record<string, string>> = {
  REA: 'Reading',
  WRI: 'Writing',
  GPS: 'Grammar, punctuation and spelling',
  MTC: 'Multiplication tables check',
  PHO: 'Phonics screening check',
};

/** An empty name keeps the qualifier out of the aspect name. */
export const QUALIFIER_NAMES: Readonly<Record<string, string>> = {
  // MTC gives every result the MT qualifier, so naming it would only lengthen the name.
  MT: '',
  SS: 'scaled score',
};

const METHOD_NAMES: Readonly<Record<string, string>> = { TA: 'TA', TT: 'test' };

const STAGE_NAMES: Readonly<Record<string, string>> = { EYF: 'EYFS' };

export function stageName(stage: string): string {
  return STAGE_NAMES[stage] ?? stage;
}

export function methodName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}
