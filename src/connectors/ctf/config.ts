import { z } from 'zod';

/** The contract's limit: no page holds more than 500 pupils or 500 results. */
export const MAX_PAGE_SIZE = 500;

const code = z.string().trim().min(1).max(12);
const codeNames = z.record(code, z.string().trim().max(80));

/**
 * What a CTF source can be told; every field may be left out. Most of it exists because the
 * DfE's tables of Subject, Component and ResultQualifier codes could not be checked (research
 * B.4): the defaults are our best reading, and a trust can correct them here without a release.
 */
export const ctfConfigSchema = z.object({
  /** Pupils per pupils page and results per results page. */
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
  /** Readable names of Subject codes, over ours ("ENG": "English"). */
  subjectNames: codeNames.default({}),
  /** Readable names of Component codes, over ours ("REA": "Reading"). */
  componentNames: codeNames.default({}),
  /** Names of ResultQualifier codes in aspect names; an empty name leaves the code out. */
  qualifierNames: codeNames.default({}),
  /** Subject or Component codes that mark the phonics screening check. */
  phonicsCodes: z.array(code).min(1).max(10).default(['PHO']),
  /** ResultQualifier codes of a key stage test's scaled score. */
  scaledScoreQualifiers: z.array(code).max(10).default(['SS']),
  /**
   * First-language codes that say nothing about EAL: refused and not obtained (B.6 gives REF;
   * NOT is our reading of "information not obtained").
   */
  languageUnknownCodes: z.array(code).max(20).default(['REF', 'NOT']),
  /** Years of FSM history that make a pupil disadvantaged: the DfE's Ever 6 measure. */
  fsmYears: z.number().int().min(1).max(10).default(6),
});

export type CtfConfig = z.infer<typeof ctfConfigSchema>;

/** An uploaded file has nothing secret to keep. */
export const ctfSecretsSchema = z.strictObject({});

export type CtfSecrets = z.infer<typeof ctfSecretsSchema>;
