import type { BulkPublishEntry, DaprClient, Logger } from '@lifeline/kit';
import {
  claimPending,
  deletePublishedBefore,
  markPublished,
  markSetAside,
  recordFailure,
  takeRelayTurn,
  type PendingEntry,
  type TransactionalSqlClient,
} from './outbox-repository.ts';
import { backoffDelay } from './backoff.ts';
import type { OutboxMetrics } from './outbox-metrics.ts';
import { recordSetAside } from '../set-aside/set-aside-repository.ts';
import type { SetAside } from '../set-aside/set-aside-metrics.ts';

/** The set_aside work name of poison outbox rows. */
export const OUTBOX_SET_ASIDE_WORK = 'outbox-relay';

export interface RelayOptions {
  prisma: TransactionalSqlClient;
  dapr: Pick<DaprClient, 'publishBulk'>;
  logger: Logger;
  metrics?: OutboxMetrics;
  /** CloudEvent source when an outbox payload does not name one. */
  source: string;
  pollMs: number;
  batchSize: number;
  /**
   * After a wake, wait this long before claiming: commits that land meanwhile ride in the same batch, so a
   * busy app makes one relay transaction and one bulk publish per window instead of one per commit.
   */
  wakeDelayMs?: number;
  retentionHours: number;
  maxBackoffMs?: number;
  cleanupIntervalMs?: number;
  /** Other periodic cleanups of this app's tables, run with the outbox retention (e.g. expired idempotency keys). */
  housekeeping?: HousekeepingJob[];
  /**
   * After this many refusals of one event that the sidecar singled out (it took others of the same request,
   * or refused the request itself as malformed), the row is set aside so the rows behind it can go. An
   * outage refuses everything alike and never sets a row aside.
   */
  poisonAttempts?: number;
  setAside?: SetAside;
}

export interface HousekeepingJob {
  name: string;
  /** Deletes at most `limit` rows; returns how many went. */
  run: (limit: number) => Promise<number>;
}

export interface RelayFailure {
  id: string;
  topic: string;
  type: string;
  attempts: number;
  error: string;
}

export interface BatchResult {
  published: number;
  /** Rows taken out of the way for good in this batch. */
  setAside?: RelayFailure[];
  /** Set when the sidecar refused an event; the rest of the batch waits behind it. */
  failure?: RelayFailure;
  /** Another replica holds the relay turn. */
  busy: boolean;
}

// The batch holds its row locks while it publishes; the budget keeps it well inside the transaction timeout
// (each publish is itself bounded by the sidecar client's timeout).
const BATCH_BUDGET_MS = 20_000;
const TRANSACTION_TIMEOUT_MS = 60_000;
const DELETE_CHUNK = 1000;
const SINGLED_OUT_MEMORY = 10_000;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function envelopeField(payload: unknown, field: 'source' | 'traceparent'): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const value = (payload as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Publishes outbox rows through the sidecar in write order (per topic) and marks them only once the sidecar accepted
 * them. Delivery is at least once: a crash between the sidecar's acceptance and the commit re-sends the
 * row, and subscribers deduplicate on the event id.
 */
export class OutboxRelay {
  readonly #opts: Required<Omit<RelayOptions, 'metrics' | 'setAside'>> & Pick<RelayOptions, 'metrics' | 'setAside'>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wakePending = false;
  #sleeper: { done: (byWake?: boolean) => void; wakeable: boolean } | undefined;
  #failures = 0;
  /**
   * Per pending row: how many of its refusals came in a batch where the sidecar took other events. Only
   * those count towards setting it aside, so an outage (everything refused alike) never does, however long.
   * Kept in memory: a restart only makes the relay more patient.
   */
  readonly #singledOut = new Map<string, number>();
  #lastCleanup = 0;

  constructor(opts: RelayOptions) {
    this.#opts = { maxBackoffMs: 30_000, cleanupIntervalMs: 10 * 60_000, housekeeping: [], wakeDelayMs: 0, poisonAttempts: 5, setAside: undefined, ...opts };
  }

  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** A local transaction committed outbox rows: publish now instead of at the next poll (unless backing off). */
  wake(): void {
    if (this.#sleeper?.wakeable) this.#sleeper.done(true);
    else this.#wakePending = true;
  }

  /** Lets the batch in flight finish (publishing and marking it), then stops. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#sleeper?.done();
    await this.#loop;
    this.#loop = undefined;
  }

  async #run(): Promise<void> {
    this.#opts.logger.info({ pollMs: this.#opts.pollMs, batchSize: this.#opts.batchSize }, 'outbox relay started');
    while (this.#running) {
      const delay = await this.#round();
      if (!this.#running) break;
      const woken = await this.#pause(delay, this.#failures === 0);
      // Wakes during this pause only mark the next round as due; stop() still ends it at once.
      if (woken && this.#running) await this.#pause(this.#opts.wakeDelayMs, false);
    }
    this.#opts.logger.info('outbox relay stopped');
  }

  /** One batch plus housekeeping; returns how long to wait before the next one. */
  async #round(): Promise<number> {
    const { logger, metrics, pollMs, batchSize, maxBackoffMs } = this.#opts;
    this.#wakePending = false;
    let result: BatchResult;
    try {
      result = await this.publishBatch();
    } catch (err) {
      this.#failures++;
      const retryInMs = backoffDelay(this.#failures, pollMs, maxBackoffMs);
      metrics?.relayFailures.inc({ reason: 'database' });
      logger.warn({ err, failures: this.#failures, retryInMs }, 'outbox relay could not read or mark the outbox; retrying');
      return retryInMs;
    }
    for (const row of result.setAside ?? []) {
      if (this.#opts.setAside) this.#opts.setAside.report(OUTBOX_SET_ASIDE_WORK, row.id, row.error, logger);
      else logger.error({ eventId: row.id, topic: row.topic, type: row.type, attempts: row.attempts, error: row.error }, 'outbox event set aside');
    }
    // An event the sidecar singled out while it took others holds up only its own topic: no backoff for the rest.
    if (result.failure && result.published === 0) {
      this.#failures++;
      const retryInMs = backoffDelay(this.#failures, pollMs, maxBackoffMs);
      metrics?.relayFailures.inc({ reason: 'publish' });
      const { id: eventId, ...failure } = result.failure;
      logger.warn(
        { eventId, ...failure, publishedBeforeFailure: result.published, failures: this.#failures, retryInMs },
        'sidecar did not accept an outbox event; it stays pending and is retried',
      );
      return retryInMs;
    }
    if (result.failure) {
      metrics?.relayFailures.inc({ reason: 'publish' });
      const { id: eventId, ...failure } = result.failure;
      logger.warn({ eventId, ...failure, published: result.published }, 'sidecar refused one outbox event and took the others; it is retried');
    }
    if (this.#failures > 0) logger.info({ failuresBefore: this.#failures }, 'outbox relay recovered');
    this.#failures = 0;
    await this.#cleanupIfDue();
    // A full batch means more rows are probably waiting.
    return result.published === batchSize ? 0 : pollMs;
  }

  /** Claims up to one batch of pending rows and publishes them in order. Exposed for tests and tools. */
  async publishBatch(): Promise<BatchResult> {
    const { prisma, batchSize } = this.#opts;
    return prisma.$transaction(
      async (tx) => {
        if (!(await takeRelayTurn(tx))) return { published: 0, busy: true };
        const rows = await claimPending(tx, batchSize);
        const published: string[] = [];
        const deadline = Date.now() + BATCH_BUDGET_MS;
        const failedRuns: Array<{ run: PendingEntry[]; failed: Map<string, string>; refused: boolean }> = [];
        // A topic whose run failed takes no later run this batch: order is kept per topic, and other topics go on.
        const blocked = new Set<string>();
        // One bulk publish per run of same-topic rows: a round trip per batch instead of per event.
        for (const run of consecutiveByTopic(rows)) {
          if (Date.now() > deadline) break;
          const topic = run[0]?.topic ?? '';
          if (blocked.has(topic)) continue;
          const { failed, refused } = await this.#publishRun(run);
          published.push(...run.filter((row) => !failed.has(row.id)).map((row) => row.id));
          if (failed.size === 0) continue;
          blocked.add(topic);
          failedRuns.push({ run, failed, refused });
        }
        // The sidecar took other events of this batch (or called the request malformed): the failed ones were
        // singled out, not caught in an outage, and after enough attempts they stop holding up their topic.
        const sidecarWorks = published.length > 0;
        const setAside: RelayFailure[] = [];
        let failure: RelayFailure | undefined;
        for (const { run, failed, refused } of failedRuns) {
          for (const row of run) {
            const error = failed.get(row.id);
            if (error === undefined) continue;
            const attempt: RelayFailure = { id: row.id, topic: row.topic, type: row.type, attempts: row.attempts + 1, error };
            const singledOut = refused || sidecarWorks ? (this.#singledOut.get(row.id) ?? 0) + 1 : (this.#singledOut.get(row.id) ?? 0);
            if (singledOut > 0) this.#singledOut.set(row.id, singledOut);
            if (singledOut >= this.#opts.poisonAttempts) {
              this.#singledOut.delete(row.id);
              await markSetAside(tx, row.id, error);
              await recordSetAside(tx, { work: OUTBOX_SET_ASIDE_WORK, itemKey: row.id, reason: error, detail: { topic: row.topic, type: row.type, attempts: attempt.attempts } });
              setAside.push(attempt);
            } else {
              await recordFailure(tx, row.id, error);
              failure ??= attempt;
            }
          }
        }
        await markPublished(tx, published);
        for (const id of published) this.#singledOut.delete(id);
        if (this.#singledOut.size > SINGLED_OUT_MEMORY) this.#singledOut.clear();
        return { published: published.length, busy: false, ...(failure ? { failure } : {}), ...(setAside.length > 0 ? { setAside } : {}) };
      },
      { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 5_000 },
    );
  }

  /**
   * entry id -> error for the rows the sidecar did not take; a failed request fails the whole run. `refused`:
   * daprd answered the request itself with a 4xx (malformed, not allowed), which no retry will change.
   */
  async #publishRun(run: PendingEntry[]): Promise<{ failed: Map<string, string>; refused: boolean }> {
    const topic = run[0]?.topic ?? '';
    const entries: BulkPublishEntry[] = run.map((row) => {
      const traceparent = envelopeField(row.payload, 'traceparent');
      return {
        entryId: row.id,
        data: row.payload,
        id: row.id,
        type: row.type,
        source: envelopeField(row.payload, 'source') ?? this.#opts.source,
        ...(traceparent !== undefined ? { traceparent } : {}),
      };
    });
    try {
      return { failed: (await this.#opts.dapr.publishBulk(topic, entries)).failed, refused: false };
    } catch (err) {
      const error = errorText(err);
      const status = (err as { status?: unknown }).status;
      const refused = typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
      return { failed: new Map(run.map((row) => [row.id, error])), refused };
    }
  }

  async #cleanupIfDue(): Promise<void> {
    const { prisma, logger, retentionHours, cleanupIntervalMs, housekeeping } = this.#opts;
    const now = Date.now();
    if (now - this.#lastCleanup < cleanupIntervalMs) return;
    this.#lastCleanup = now;
    const jobs: HousekeepingJob[] = [
      { name: 'outbox retention', run: (limit) => deletePublishedBefore(prisma, retentionHours, limit) },
      ...housekeeping,
    ];
    for (const job of jobs) {
      try {
        let deleted = 0;
        for (;;) {
          const n = await job.run(DELETE_CHUNK);
          deleted += n;
          if (n < DELETE_CHUNK || !this.#running) break;
        }
        if (deleted > 0) logger.info({ deleted, job: job.name }, 'housekeeping deleted expired rows');
      } catch (err) {
        logger.warn({ err, job: job.name }, 'housekeeping failed; will try again later');
      }
    }
  }

  /** Resolves true when a wake (or one that came in during the last round) ended the pause. */
  #pause(ms: number, wakeable: boolean): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(false);
    if (wakeable && this.#wakePending) {
      this.#wakePending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const done = (byWake = false) => {
        clearTimeout(timer);
        this.#sleeper = undefined;
        resolve(byWake);
      };
      const timer = setTimeout(() => done(), ms);
      // The relay alone never keeps a process alive; the HTTP server does that in a running service.
      timer.unref();
      this.#sleeper = { done, wakeable };
    });
  }
}

function* consecutiveByTopic(rows: PendingEntry[]): Generator<PendingEntry[]> {
  let run: PendingEntry[] = [];
  for (const row of rows) {
    if (run.length > 0 && run[0]?.topic !== row.topic) {
      yield run;
      run = [];
    }
    run.push(row);
  }
  if (run.length > 0) yield run;
}
