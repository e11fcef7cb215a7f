import { Worker } from 'node:worker_threads';
import type { JobOutcome, JobReply, JobRequest } from './evaluator-jobs.ts';
import { assertWindow } from './expand.ts';
import type { RecurrenceIssue } from './recurrence.ts';

/**
 * Evaluates untrusted rules in worker threads with a hard time budget. rrule walks the calendar until year
 * 9999 looking for a match, so a rule that never matches (FREQ=HOURLY;BYMONTH=2;BYYEARDAY=1) takes seconds
 * of CPU: in the request thread that would stall every other request. A worker that runs over its budget is
 * terminated and replaced.
 */

export type Evaluation =
  | { kind: 'occurs'; first: string }
  | { kind: 'never'; reason: string }
  /** Over the time or memory budget: the rule is too sparse or too expensive to prove. */
  | { kind: 'too-complex' }
  /** Every worker is busy and the queue is full (or the evaluator is closed): the caller should try again shortly. */
  | { kind: 'busy' }
  | { kind: 'invalid'; message: string; issues: RecurrenceIssue[] }
  /** The worker itself broke: our fault, not the rule's. */
  | { kind: 'failed'; message: string };

export type OccurrencesEvaluation =
  | { kind: 'ok'; instants: string[] }
  | { kind: 'too-complex' }
  | { kind: 'busy' }
  | { kind: 'invalid'; issues: RecurrenceIssue[] }
  | { kind: 'failed'; message: string };

export interface EvaluatorOptions {
  /** Budget per rule, counted from the moment a ready worker receives it. */
  timeoutMs: number;
  workers: number;
  /** Rules waiting for a worker beyond this are answered busy rather than queued without bound. */
  maxQueue?: number;
}

type PoolOutcome = JobOutcome | { kind: 'too-complex' } | { kind: 'busy' };

interface Job {
  request: JobRequest;
  resolve: (outcome: PoolOutcome) => void;
}

interface Slot {
  worker: Worker | undefined;
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  onReady: Array<() => void>;
}

/** Loading tsx and the engine in a fresh thread takes a few hundred milliseconds; a worker that needs far longer is broken. */
const STARTUP_TIMEOUT_MS = 20_000;

/**
 * tsx's loader hooks do not reach a worker's entry point on Node 20, so the entry is this snippet of plain
 * JavaScript, which imports tsx's API and loads the TypeScript worker module with it: the worker then runs
 * the very modules the synchronous API runs.
 */
function bootstrapSource(): string {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = import.meta.resolve('./evaluator-worker.ts');
  return `import(${JSON.stringify(tsxApi)})
    .then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))
    .catch((err) => process.nextTick(() => { throw err; }));`;
}

export class RecurrenceEvaluator {
  readonly #timeoutMs: number;
  readonly #maxQueue: number;
  readonly #slots: Slot[];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(opts: EvaluatorOptions) {
    if (!(opts.timeoutMs > 0) || !Number.isInteger(opts.workers) || opts.workers < 1) {
      throw new RangeError('RecurrenceEvaluator needs timeoutMs > 0 and at least one worker');
    }
    this.#timeoutMs = opts.timeoutMs;
    this.#maxQueue = opts.maxQueue ?? 100;
    this.#slots = Array.from({ length: opts.workers }, () => ({ worker: undefined, ready: false, job: undefined, timer: undefined, onReady: [] }));
  }

  /** The first occurrence of the recurrence in `text`, or why there is none. */
  async firstOccurrence(text: string): Promise<Evaluation> {
    const outcome = await this.#submit({ id: this.#nextId++, op: 'first', text });
    switch (outcome.kind) {
      case 'occurs':
      case 'never':
      case 'too-complex':
      case 'busy':
      case 'failed':
        return outcome;
      case 'invalid':
        return { kind: 'invalid', issues: outcome.issues, message: outcome.issues.map((i) => `${i.part}: ${i.message}`).join('; ') };
      case 'ok':
        return { kind: 'failed', message: 'the worker answered a first-occurrence question with a list' };
    }
  }

  /** Occurrences with from <= t < to, ascending, at most `limit`, as ISO instants (see occurrencesBetween). */
  async occurrences(text: string, from: Date, to: Date, limit: number): Promise<OccurrencesEvaluation> {
    assertWindow(from, to, limit);
    const outcome = await this.#submit({ id: this.#nextId++, op: 'between', text, from: from.getTime(), to: to.getTime(), limit });
    switch (outcome.kind) {
      case 'ok':
      case 'too-complex':
      case 'busy':
      case 'invalid':
      case 'failed':
        return outcome;
      case 'occurs':
      case 'never':
        return { kind: 'failed', message: 'the worker answered a list question with a first occurrence' };
    }
  }

  /** Starts every worker now and resolves when they are ready, so the first rules do not wait for a cold start. */
  async warmUp(): Promise<void> {
    if (this.#closed) return;
    const starting = this.#slots
      .filter((slot) => !slot.ready)
      .map((slot) => {
        const ready = new Promise<void>((resolve) => slot.onReady.push(resolve));
        slot.worker ??= this.#spawn(slot);
        return ready;
      });
    await Promise.all(starting);
  }

  /** Terminates the workers; rules still waiting are answered busy. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.resolve({ kind: 'busy' });
    await Promise.all(this.#slots.map((slot) => this.#finish(slot, { kind: 'busy' }, true)));
  }

  #submit(request: JobRequest): Promise<PoolOutcome> {
    if (this.#closed || this.#queue.length >= this.#maxQueue) return Promise.resolve({ kind: 'busy' });
    return new Promise((resolve) => {
      this.#queue.push({ request, resolve });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job !== undefined) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      slot.job = job;
      if (slot.ready) {
        this.#send(slot);
        continue;
      }
      slot.worker ??= this.#spawn(slot);
      this.#arm(slot, STARTUP_TIMEOUT_MS, { kind: 'failed', message: `the rule evaluator did not start within ${STARTUP_TIMEOUT_MS} ms` });
    }
  }

  #send(slot: Slot): void {
    if (slot.job === undefined || slot.worker === undefined) return;
    this.#arm(slot, this.#timeoutMs, { kind: 'too-complex' });
    slot.worker.postMessage(slot.job.request);
  }

  #arm(slot: Slot, ms: number, outcome: PoolOutcome): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => void this.#finish(slot, outcome, true), ms);
    slot.timer.unref();
  }

  #spawn(slot: Slot): Worker | undefined {
    let worker: Worker;
    try {
      worker = new Worker(bootstrapSource(), { eval: true, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: 64 } });
    } catch (err) {
      // Not even a thread (or no tsx to load the engine with): answer on a later tick, the caller is still dispatching.
      const message = err instanceof Error ? err.message : String(err);
      setImmediate(() => {
        for (const resolve of slot.onReady.splice(0)) resolve();
        void this.#finish(slot, { kind: 'failed', message }, false);
      });
      return undefined;
    }
    // Idle workers never keep the process alive; shutdown does not have to wait for them.
    worker.unref();
    worker.on('message', (reply: JobReply) => {
      if (slot.worker !== worker) return;
      if ('ready' in reply) {
        slot.ready = true;
        for (const resolve of slot.onReady.splice(0)) resolve();
        this.#send(slot);
      } else if (slot.job?.request.id === reply.id) {
        void this.#finish(slot, reply.outcome, false);
      }
    });
    const lost = (err: unknown) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      slot.ready = false;
      for (const resolve of slot.onReady.splice(0)) resolve();
      const outOfMemory = (err as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const message = err instanceof Error ? err.message : 'the rule evaluator exited';
      void this.#finish(slot, outOfMemory ? { kind: 'too-complex' } : { kind: 'failed', message }, false);
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return worker;
  }

  async #finish(slot: Slot, outcome: PoolOutcome, terminate: boolean): Promise<void> {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const job = slot.job;
    slot.job = undefined;
    const worker = slot.worker;
    if (terminate && worker !== undefined) {
      slot.worker = undefined;
      slot.ready = false;
      await worker.terminate();
    }
    job?.resolve(outcome);
    if (!this.#closed) this.#dispatch();
  }
}
