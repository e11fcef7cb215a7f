import { randomUUID } from 'node:crypto';

interface Counted {
  id: string;
  remaining: number;
}

/**
 * Faults in the order they were added. A request takes the first one that applies to it, which
 * uses up one of its `remaining` turns; a used-up fault leaves the queue. Tests rely on this to say
 * "the next two sends fail, the third one passes" without any timing.
 */
export class FaultQueue<F extends Counted> {
  #faults: F[] = [];

  add(fields: Omit<F, 'id'>): F {
    const fault = { ...fields, id: randomUUID() } as F;
    this.#faults.push(fault);
    return { ...fault };
  }

  /** Snapshots, so a caller cannot change what is queued. */
  list(): F[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  take(applies: (fault: F) => boolean): F | undefined {
    const index = this.#faults.findIndex(applies);
    const fault = this.#faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return { ...fault };
  }

  clear(): void {
    this.#faults = [];
  }
}
