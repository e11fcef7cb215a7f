/**
 * Ids seen within the last `ttlMs`, bounded in size: the fan-out delivers at least once, so a redelivered
 * live message must not reach a socket twice. Entries are kept in insertion order; old ones fall off the front.
 */
export class RecentIds {
  readonly #seen = new Map<string, number>();

  constructor(
    readonly ttlMs: number,
    readonly maxSize = 50_000,
  ) {}

  /** True the first time an id is offered within the window; false for a repeat. */
  firstTime(id: string, now = Date.now()): boolean {
    this.#evict(now);
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, now);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #evict(now: number): void {
    for (const [id, at] of this.#seen) {
      if (now - at < this.ttlMs && this.#seen.size < this.maxSize) break;
      this.#seen.delete(id);
    }
  }
}
