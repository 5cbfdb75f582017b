import { configOrExit, createLogger, runUntilSignalled, startService } from './service.ts';

/** The production entry point: `npm start`. */
const config = configOrExit();
const logger = createLogger(config.logLevel);
await runUntilSignalled(() => startService(config, logger), logger);
