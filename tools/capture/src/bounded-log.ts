/**
 * Records in arrival order, keeping only the newest `capacity`: a capture server that runs for a whole
 * dev session or a benchmark must not grow without end.
 */
export class BoundedLog<T extends { id: string }> {
  readonly #capacity: number;
  #items: T[] = [];
  readonly #byId = new Map<string, T>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  add(item: T): void {
    this.#items.push(item);
    this.#byId.set(item.id, item);
    while (this.#items.length > this.#capacity) {
      const dropped = this.#items.shift();
      if (dropped) this.#byId.delete(dropped.id);
    }
  }

  get(id: string): T | undefined {
    return this.#byId.get(id);
  }

  filter(keep: (item: T) => boolean): T[] {
    return this.#items.filter(keep);
  }

  get size(): number {
    return this.#items.length;
  }

  clear(): void {
    this.#items = [];
    this.#byId.clear();
  }
}
