import type { Failure } from './classify.ts';

/** The time one request may take, retries and waits included, and the caller's cancel. */
export interface Deadline {
  /** Aborts when the time is up or the caller cancels. */
  signal: AbortSignal;
  remainingMs(): number;
  /** Why the signal aborted, as the failure to report. */
  failure(): Failure;
  dispose(): void;
}

export function startDeadline(ms: number, caller: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  const expiresAt = Date.now() + ms;
  const timer = setTimeout(() => controller.abort(new Error(`deadline of ${ms} ms passed`)), ms);
  const onCancel = (): void => controller.abort(caller?.reason);

  if (caller?.aborted) onCancel();
  else caller?.addEventListener('abort', onCancel, { once: true });

  return {
    signal: controller.signal,
    remainingMs: () => Math.max(0, expiresAt - Date.now()),
    failure: () => ({
      code: caller?.aborted ? 'aborted' : 'deadline_exceeded',
      retryable: false,
      cause: controller.signal.reason,
    }),
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCancel);
    },
  };
}
