import type { ConnectorKind } from '../contract.ts';
import { check } from './check.ts';
import {
  type OneRosterConfig,
  type OneRosterSecrets,
  oneRosterConfigSchema,
  oneRosterSecretsSchema,
} from './config.ts';
import { pull } from './pull.ts';
import { replayOneRoster } from './replay.ts';

export type { PullCheckpoint, PullCursor } from './checkpoint.ts';
export {
  DEFAULT_GRADEBOOK_PATH,
  DEFAULT_ROSTERING_PATH,
  DEFAULT_SCOPE_PREFIX,
  type OneRosterConfig,
  type OneRosterSecrets,
  oneRosterConfigSchema,
  oneRosterSecretsSchema,
  type PupilFields,
} from './config.ts';
export { ASSESSMENT_RESULT_PREFIX } from './results.ts';

/** A school's system that speaks OneRoster 1.2 REST: rostering and gradebook (research A). */
export const oneRosterRestConnector: ConnectorKind<OneRosterConfig, OneRosterSecrets> = {
  kind: 'oneroster_rest',
  label: 'OneRoster 1.2 (REST API)',
  transport: 'api',
  configSchema: oneRosterConfigSchema,
  secretsSchema: oneRosterSecretsSchema,
  check,
  pull,
  replay: replayOneRoster,
};
