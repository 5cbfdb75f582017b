import type { ConnectorKind } from '../contract.ts';
import { checkAssembly } from './check.ts';
import {
  type AssemblyConfig,
  type AssemblySecrets,
  assemblyConfigSchema,
  assemblySecretsSchema,
} from './config.ts';
import { pullAssembly } from './pull.ts';
import { replayAssembly } from './replay.ts';

/** Assembly Platform: a UK aggregator of MIS data with its own assessment model (research 4). */
export const assemblyConnector: ConnectorKind<AssemblyConfig, AssemblySecrets> = {
  kind: 'assembly',
  label: 'Assembly Platform API',
  transport: 'api',
  configSchema: assemblyConfigSchema,
  secretsSchema: assemblySecretsSchema,
  check: checkAssembly,
  pull: pullAssembly,
  replay: replayAssembly,
};
