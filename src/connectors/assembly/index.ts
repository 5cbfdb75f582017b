export type { AssemblyCheckpoint, AssemblyCursor } from './checkpoint.ts';
export {
  ASSEMBLY_HOSTS,
  type AssemblyConfig,
  type AssemblyConfigInput,
  type AssemblySecrets,
  assemblyConfigSchema,
  assemblySecretsSchema,
  DEFAULT_RATE_LIMIT,
} from './config.ts';
export { assemblyConnector } from './connector.ts';
