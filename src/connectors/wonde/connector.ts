import type { ConnectorKind } from '../contract.ts';
import { checkWonde } from './check.ts';
import {
  type WondeConfig,
  type WondeSecrets,
  wondeConfigSchema,
  wondeSecretsSchema,
} from './config.ts';
import { pullWonde } from './pull.ts';
import { replayWonde } from './replay.ts';

/** Wonde, the API most of the trust's SIMS and Arbor schools already share data through. */
export const wondeConnector: ConnectorKind<WondeConfig, WondeSecrets> = {
  kind: 'wonde',
  label: 'Wonde',
  transport: 'api',
  configSchema: wondeConfigSchema,
  secretsSchema: wondeSecretsSchema,
  check: checkWonde,
  pull: pullWonde,
  replay: replayWonde,
};
