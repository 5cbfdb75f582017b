import { setTimeout as sleep } from 'node:timers/promises';
import { type Dispatcher, request } from 'undici';
import { excerpt, type Parsed, readErrorBody } from './body.ts';
import type { Budget } from './budget.ts';
import { type Failure, networkFailure, statusFailure } from './classify.ts';
import { type Deadline, startDeadline } from './deadline.ts';
import { ConnectorError, type Describe } from './errors.ts';
import type { Gate, Release } from './gate.ts';
import type { HttpEvent, HttpMethod, Timeouts } from './options.ts';
import { redactUrl } from './redact.ts';
import { nextDelayMs, type RetryPolicy, serverWaitMs } from './retry.ts';

/** What one client shares between its requests. */
export interface Runtime {
  system: string;
  dispatcher: Dispatcher;
  policy: RetryPolicy;
  deadlineMs: number;
  timeouts: Timeouts;
  resetHeaders: readonly string[];
  gate: Gate;
  budget: Budget | undefined;
  budgetDetail: string | undefined;
  emit: (event: HttpEvent) => void;
  describe: Describe | undefined;
}

/** One request, ready to send as often as the retry policy allows. */
export interface Exchange {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  idempotent: boolean;
  signal: AbortSignal | undefined;
  secrets: readonly string[];
  describe: Describe | undefined;
}

/**
 * Takes a successful answer (2xx or 304) and reads it. It owns the gate slot from then on and
 * must release it; a failure it returns is retried like any other.
 */
export type OnSuccess<T> = (
  response: Dispatcher.ResponseData,
  release: Release,
  attempt: number,
) => Promise<Parsed<T>>;

export interface Sent<T> {
  value: T;
  attempts: number;
}

/** Sends until an attempt succeeds or the failure is final; throws a ConnectorError. */
export async function send<T>(
  rt: Runtime,
  ex: Exchange,
  onSuccess: OnSuccess<T>,
): Promise<Sent<T>> {
  const deadline = startDeadline(rt.deadlineMs, ex.signal);
  try {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await attemptOnce(rt, ex, deadline, (response, release) =>
        onSuccess(response, release, attempt),
      );
      if (outcome.ok) return { value: outcome.value, attempts: attempt };

      const failure = deadline.signal.aborted ? deadline.failure() : outcome.failure;
      await pauseBeforeRetry(rt, ex, deadline, failure, attempt);
    }
  } finally {
    deadline.dispose();
  }
}

/** Builds the error for a failure, with this client's system, secrets and wording. */
export function toError(
  rt: Runtime,
  ex: Exchange,
  failure: Failure,
  attempts: number,
): ConnectorError {
  return new ConnectorError({
    code: failure.code,
    system: rt.system,
    url: ex.url,
    status: failure.status,
    bodyExcerpt: failure.body ? excerpt(failure.body, ex.secrets) : undefined,
    attempts,
    detail: failure.detail,
    cause: failure.cause,
    describe: ex.describe ?? rt.describe,
    secrets: ex.secrets,
  });
}

async function pauseBeforeRetry(
  rt: Runtime,
  ex: Exchange,
  deadline: Deadline,
  failure: Failure,
  attempt: number,
): Promise<void> {
  const delayMs = nextDelayMs({
    facts: failure,
    policy: rt.policy,
    attempt,
    idempotent: ex.idempotent,
    remainingMs: deadline.remainingMs(),
  });
  if (delayMs === undefined) throw toError(rt, ex, failure, attempt);

  const reason = failure.code;
  rt.emit({
    ...eventOrigin(rt, ex),
    type: 'retry_scheduled',
    attempt,
    delayMs,
    reason,
    status: failure.status,
  });
  try {
    await sleep(delayMs, undefined, { signal: deadline.signal });
  } catch {
    throw toError(rt, ex, deadline.failure(), attempt);
  }
}

async function attemptOnce<T>(
  rt: Runtime,
  ex: Exchange,
  deadline: Deadline,
  onSuccess: (response: Dispatcher.ResponseData, release: Release) => Promise<Parsed<T>>,
): Promise<Parsed<T>> {
  let release: Release | undefined;
  let handedOver = false;
  try {
    release = await rt.gate.enter(deadline.signal);
    const budget = await waitForBudget(rt, ex, deadline);
    if (budget) return { ok: false, failure: budget };

    const response = await request(ex.url, requestOptions(rt, ex, deadline.signal));
    if (!isSuccess(response.statusCode)) {
      return { ok: false, failure: await answerFailure(rt, response) };
    }
    handedOver = true;
    return await onSuccess(response, release);
  } catch (error) {
    return { ok: false, failure: networkFailure(error, 'headers') };
  } finally {
    if (!handedOver) release?.();
  }
}

function requestOptions(rt: Runtime, ex: Exchange, signal: AbortSignal) {
  return {
    method: ex.method,
    headers: ex.headers,
    body: ex.body,
    signal,
    dispatcher: rt.dispatcher,
    headersTimeout: rt.timeouts.headersMs,
    bodyTimeout: rt.timeouts.bodyMs,
  };
}

// Waits for room in the budget while holding the gate slot, so that the send follows the
// booked time at once and the server sees the spacing the budget planned.
async function waitForBudget(
  rt: Runtime,
  ex: Exchange,
  deadline: Deadline,
): Promise<Failure | undefined> {
  if (!rt.budget) return undefined;
  const waitMs = rt.budget.reserve(deadline.remainingMs());
  if (waitMs === undefined) {
    return { code: 'budget_exhausted', retryable: false, detail: rt.budgetDetail };
  }
  if (waitMs === 0) return undefined;

  rt.emit({ ...eventOrigin(rt, ex), type: 'budget_wait', waitMs });
  await sleep(waitMs, undefined, { signal: deadline.signal });
  return undefined;
}

async function answerFailure(rt: Runtime, response: Dispatcher.ResponseData): Promise<Failure> {
  const wait = serverWaitMs(response.headers, rt.resetHeaders);
  const failure = statusFailure(response.statusCode, wait);
  return { ...failure, body: await readErrorBody(response.body) };
}

function isSuccess(status: number): boolean {
  return (status >= 200 && status < 300) || status === 304;
}

function eventOrigin(rt: Runtime, ex: Exchange) {
  return { system: rt.system, method: ex.method, url: redactUrl(ex.url, ex.secrets) };
}
