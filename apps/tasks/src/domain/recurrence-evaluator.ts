import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Finds a rule's first occurrence in worker threads with a hard time limit. rrule walks the calendar until
 * year 9999 looking for a match, so a rule that never matches (BYMONTH=2;BYMONTHDAY=30 with FREQ=DAILY)
 * takes seconds of CPU: in the request thread that would stall every other request. A worker that runs
 * over its budget is terminated and replaced.
 */

export type Evaluation =
  | { kind: 'occurs'; first: string }
  | { kind: 'never' }
  /** Over the time or memory budget: the rule is too sparse or too expensive to prove. */
  | { kind: 'too-complex' }
  /** Every worker is busy and the queue is full: the caller should try again shortly. */
  | { kind: 'busy' }
  | { kind: 'invalid'; message: string }
  /** The worker itself broke: our fault, not the rule's. */
  | { kind: 'failed'; message: string };

export interface EvaluatorOptions {
  timeoutMs: number;
  workers: number;
  /** Rules waiting for a worker beyond this are answered busy rather than queued without bound. */
  maxQueue?: number;
}

// Plain CommonJS on purpose: the worker then needs no TypeScript loader (tsx hooks do not reach worker
// entry points on Node 20), and it is small enough to read here.
const RRULE_PATH = createRequire(import.meta.url).resolve('rrule');
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { rrulestr } = require(${JSON.stringify(RRULE_PATH)});
parentPort.on('message', ({ id, text }) => {
  try {
    const [first] = rrulestr(text).all((_date, index) => index < 1);
    parentPort.postMessage({ id, first: first ? first.toISOString() : null });
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});`;

interface Job {
  id: number;
  text: string;
  resolve: (evaluation: Evaluation) => void;
}

interface Reply {
  id: number;
  first?: string | null;
  error?: string;
}

interface Slot {
  worker: Worker | undefined;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

export class RecurrenceEvaluator {
  readonly #timeoutMs: number;
  readonly #maxQueue: number;
  readonly #slots: Slot[];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(opts: EvaluatorOptions) {
    this.#timeoutMs = opts.timeoutMs;
    this.#maxQueue = opts.maxQueue ?? 100;
    this.#slots = Array.from({ length: opts.workers }, () => ({ worker: undefined, job: undefined, timer: undefined }));
  }

  firstOccurrence(text: string): Promise<Evaluation> {
    if (this.#closed) return Promise.resolve({ kind: 'busy' });
    if (this.#queue.length >= this.#maxQueue) return Promise.resolve({ kind: 'busy' });
    return new Promise((resolve) => {
      this.#queue.push({ id: this.#nextId++, text, resolve });
      this.#dispatch();
    });
  }

  /** Terminates the workers; rules still waiting are answered busy. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.resolve({ kind: 'busy' });
    await Promise.all(this.#slots.map((slot) => this.#finish(slot, { kind: 'busy' }, true)));
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job !== undefined) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker ??= this.#spawn(slot);
      // The budget includes a cold worker's start (a few tens of milliseconds), which keeps the bound simple.
      slot.timer = setTimeout(() => void this.#finish(slot, { kind: 'too-complex' }, true), this.#timeoutMs);
      slot.timer.unref();
      slot.worker.postMessage({ id: job.id, text: job.text });
    }
  }

  #spawn(slot: Slot): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: 64 } });
    // Idle workers never keep the process alive; shutdown does not have to wait for them.
    worker.unref();
    worker.on('message', (reply: Reply) => {
      if (slot.worker !== worker || slot.job?.id !== reply.id) return;
      const evaluation: Evaluation =
        reply.error !== undefined
          ? { kind: 'invalid', message: reply.error }
          : typeof reply.first === 'string'
            ? { kind: 'occurs', first: reply.first }
            : { kind: 'never' };
      void this.#finish(slot, evaluation, false);
    });
    const lost = (err: unknown) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      const outOfMemory = (err as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const message = err instanceof Error ? err.message : 'the rule evaluator exited';
      void this.#finish(slot, outOfMemory ? { kind: 'too-complex' } : { kind: 'failed', message }, false);
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return worker;
  }

  async #finish(slot: Slot, evaluation: Evaluation, terminate: boolean): Promise<void> {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const job = slot.job;
    slot.job = undefined;
    const worker = slot.worker;
    if (terminate && worker !== undefined) {
      slot.worker = undefined;
      await worker.terminate();
    }
    job?.resolve(evaluation);
    if (!this.#closed) this.#dispatch();
  }
}
