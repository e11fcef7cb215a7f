import type { RequestHandler } from 'express';

/**
 * Shared by the HTTP layer, the subscription routes and the shutdown sequence:
 * knows whether we are shutting down and how much work is still in flight.
 */
export class Lifecycle {
  #shuttingDown = false;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  /** Counts one unit of work until release() is called (idempotent). */
  acquire(): () => void {
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      if (this.#inFlight === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const w of waiters) w();
      }
    };
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    const release = this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Resolves true once nothing is in flight, or false when timeoutMs passes first. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((w) => w !== onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(onIdle);
    });
  }
}

/** Counts each request until its response is finished or its connection dropped. */
export function inFlightMiddleware(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    const release = lifecycle.acquire();
    res.once('finish', release);
    res.once('close', release);
    // While draining, tell keep-alive clients (the sidecar included) to reconnect elsewhere.
    if (lifecycle.shuttingDown) res.setHeader('Connection', 'close');
    next();
  };
}
