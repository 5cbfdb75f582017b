import { ConnectorError, type ConnectorErrorCode } from '../http/index.ts';
import { SYSTEM } from './messages.ts';

/** What a connector-raised failure says; the message is ours, redacted like the client's. */
export interface ErrorFacts {
  path: string;
  message: string;
  status?: number;
  attempts?: number;
  detail?: string;
}

export type Fail = (code: ConnectorErrorCode, facts: ErrorFacts) => ConnectorError;

/** Builds failures for one session, with every secret it knows of kept out of them. */
export function failureFor(apiUrl: string, known: readonly string[]): Fail {
  return (code, facts) =>
    new ConnectorError({
      code,
      system: SYSTEM,
      url: `${apiUrl}${facts.path}`,
      status: facts.status,
      attempts: facts.attempts,
      detail: facts.detail,
      secrets: known,
      describe: () => facts.message,
    });
}
