export type { ChangesCheckpoint, Cursor, FullCheckpoint } from './checkpoint.ts';
export {
  type ArborConfig,
  type ArborSecrets,
  arborBaseUrl,
  arborConfigSchema,
  arborSecretsSchema,
} from './config.ts';
export { arborConnector } from './connector.ts';
