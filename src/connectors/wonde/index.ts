export {
  cursorSchema as wondeCursorSchema,
  positionSchema as wondeCheckpointSchema,
  type WondeCursor,
} from './checkpoint.ts';
export {
  DEFAULT_BASE_URL,
  type WondeConfig,
  type WondeSecrets,
  wondeConfigSchema,
  wondeSecretsSchema,
} from './config.ts';
export { wondeConnector } from './connector.ts';
export { WONDE_PERMISSIONS, type WondePermission } from './permissions.ts';
