import {
  type ConnectorErrorCategory,
  type ConnectorErrorCode,
  categoryOf,
  defaultMessage,
} from './codes.ts';
import { redactText, redactUrl } from './redact.ts';

export type { ConnectorErrorCategory, ConnectorErrorCode } from './codes.ts';

/** What went wrong, with every value already redacted, for a connector to word a message. */
export interface Problem {
  code: ConnectorErrorCode;
  category: ConnectorErrorCategory;
  system: string;
  url: string;
  status?: number;
  bodyExcerpt?: string;
  attempts: number;
  detail?: string;
  /** The catalogue's message, to return or build on. */
  message: string;
}

/** Returns a better message for a problem, or undefined to keep the catalogue's. */
export type Describe = (problem: Problem) => string | undefined;

export interface ConnectorErrorInit {
  code: ConnectorErrorCode;
  system: string;
  url: string;
  status?: number;
  bodyExcerpt?: string;
  attempts?: number;
  /** A short fact for the message, such as the path of a schema issue. */
  detail?: string;
  cause?: unknown;
  describe?: Describe;
  /** Values that must not appear in the message, the URL or the excerpt. */
  secrets?: readonly string[];
}

/** The one failure type a connector raises; `category` tells sync health what to do. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly code: ConnectorErrorCode;
  readonly category: ConnectorErrorCategory;
  readonly system: string;
  readonly status: number | undefined;
  readonly url: string;
  readonly bodyExcerpt: string | undefined;
  readonly attempts: number;

  constructor(init: ConnectorErrorInit) {
    const problem = toProblem(init);
    super(wordMessage(problem, init), { cause: init.cause });
    this.code = problem.code;
    this.category = problem.category;
    this.system = problem.system;
    this.status = problem.status;
    this.url = problem.url;
    this.bodyExcerpt = problem.bodyExcerpt;
    this.attempts = problem.attempts;
  }

  /** The fields a sync run stores and shows; the cause stays out. */
  toJSON(): Record<string, unknown> {
    const { name, code, category, system, status, url, bodyExcerpt, attempts, message } = this;
    return { name, code, category, system, status, url, bodyExcerpt, attempts, message };
  }
}

export function isConnectorError(value: unknown): value is ConnectorError {
  return value instanceof ConnectorError;
}

function toProblem(init: ConnectorErrorInit): Problem {
  const secrets = init.secrets ?? [];
  const facts = {
    system: init.system,
    status: init.status,
    attempts: init.attempts ?? 1,
    detail: init.detail === undefined ? undefined : redactText(init.detail, secrets),
  };
  return {
    ...facts,
    code: init.code,
    category: categoryOf(init.code),
    url: redactUrl(init.url, secrets),
    bodyExcerpt: init.bodyExcerpt === undefined ? undefined : redactText(init.bodyExcerpt, secrets),
    message: defaultMessage(init.code, facts),
  };
}

// The connector's wording is redacted too: a describe hook may quote what it was given.
function wordMessage(problem: Problem, init: ConnectorErrorInit): string {
  const worded = init.describe?.(problem) ?? problem.message;
  return redactText(worded, init.secrets ?? []);
}
