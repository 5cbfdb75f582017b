/** Gives back a slot taken from a gate. Calling it twice gives back one slot, not two. */
export type Release = () => void;

/** Lets at most `max` requests of one client be in flight at once. */
export interface Gate {
  enter(signal: AbortSignal): Promise<Release>;
}

interface Waiter {
  admit: () => void;
}

export function createGate(max: number): Gate {
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxConcurrent must be 1 or more');
  let inFlight = 0;
  const queue: Waiter[] = [];

  const release = (): void => {
    const next = queue.shift();
    if (next) next.admit();
    else inFlight -= 1;
  };

  const slot = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };

  return {
    enter(signal) {
      signal.throwIfAborted();
      if (inFlight < max) {
        inFlight += 1;
        return Promise.resolve(slot());
      }
      return wait(queue, signal).then(slot);
    },
  };
}

// A waiter that is admitted keeps the slot its releaser handed over, so inFlight is unchanged.
function wait(queue: Waiter[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      queue.splice(queue.indexOf(waiter), 1);
      reject(signal.reason);
    };
    const waiter: Waiter = {
      admit: () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
    };
    queue.push(waiter);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
