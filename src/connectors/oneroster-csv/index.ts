export {
  DEFAULT_LIMITS,
  type OneRosterCsvConfig,
  type OneRosterCsvSecrets,
  oneRosterCsvConfigSchema,
  oneRosterCsvSecretsSchema,
} from './config.ts';
export { oneRosterCsvConnector } from './connector.ts';
export { OneRosterZipError, type ZipFailure } from './errors.ts';
export type { Checkpoint as OneRosterCheckpoint } from './pages.ts';
export { ONEROSTER_PROBLEMS, type OneRosterProblemCode } from './problems.ts';
