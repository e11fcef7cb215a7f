/**
 * Group commit: requests queue their work, and a flush takes everything queued so far into one unit (one
 * database transaction, one Redis pipeline). At most `maxConcurrent` flushes run at a time; while they do,
 * new requests wait and are taken together by the next one. No timer: an idle system flushes a request at
 * once (no added latency), a busy one batches as deep as the load makes it, so the database round trips per
 * request fall as the rate rises instead of the pool running out.
 */
export interface GroupCommitOptions<Req, Res> {
  /** Runs one group; resolves with one outcome per request, in order (an Error rejects only that request). */
  flush: (group: readonly Req[]) => Promise<ReadonlyArray<Res | Error>>;
  /** Flushes in flight at once (each holds one pooled connection). */
  maxConcurrent: number;
  /** Bounds a group by the work it carries (positions), so one transaction stays short. */
  maxWeight: number;
  weightOf: (req: Req) => number;
  /** Told of every group flushed (how many requests, how much weight): how deep the batching went. */
  onGroup?: (requests: number, weight: number) => void;
}

interface Waiting<Req, Res> {
  req: Req;
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter<Req, Res> {
  readonly #opts: GroupCommitOptions<Req, Res>;
  #queue: Array<Waiting<Req, Res>> = [];
  #running = 0;
  /** Groups flushed and requests in them: how deep the batching went (a metric, and the tests' evidence). */
  groups = 0;
  requests = 0;

  /** Requests queued behind the flushes in flight. */
  get waiting(): number {
    return this.#queue.length;
  }

  constructor(opts: GroupCommitOptions<Req, Res>) {
    this.#opts = opts;
  }

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ req, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#running < this.#opts.maxConcurrent && this.#queue.length > 0) {
      const group = this.#take();
      this.#running++;
      void this.#run(group).finally(() => {
        this.#running--;
        this.#pump();
      });
    }
  }

  /** The oldest requests up to maxWeight; always at least one, however heavy. */
  #take(): Array<Waiting<Req, Res>> {
    let weight = 0;
    let n = 0;
    while (n < this.#queue.length) {
      const w = this.#opts.weightOf((this.#queue[n] as Waiting<Req, Res>).req);
      if (n > 0 && weight + w > this.#opts.maxWeight) break;
      weight += w;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  async #run(group: Array<Waiting<Req, Res>>): Promise<void> {
    this.groups++;
    this.requests += group.length;
    this.#opts.onGroup?.(group.length, group.reduce((sum, w) => sum + this.#opts.weightOf(w.req), 0));
    try {
      const outcomes = await this.#opts.flush(group.map((w) => w.req));
      group.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof Error) w.reject(outcome);
        else if (outcome === undefined) w.reject(new Error('group commit: no outcome for a request'));
        else w.resolve(outcome);
      });
    } catch (err) {
      for (const w of group) w.reject(err);
    }
  }
}
