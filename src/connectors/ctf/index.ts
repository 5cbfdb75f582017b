export { type CtfConfig, ctfConfigSchema, ctfSecretsSchema, MAX_PAGE_SIZE } from './config.ts';
export { ctfConnector } from './connector.ts';
export { type CtfFailureCode, CtfFileError } from './failure.ts';
export { type CtfCheckpoint, ctfCheckpointSchema } from './pages.ts';
export type { CtfProblemCode } from './problems.ts';
