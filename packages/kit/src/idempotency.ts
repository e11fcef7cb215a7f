import type { DaprClient } from './dapr-client.ts';
import { StateConflictError } from './dapr-client.ts';

/** Runs work at most once per key (as far as the backing store remembers the key). */
export interface IdempotencyGuard {
  runOnce<T>(key: string, work: () => Promise<T>): Promise<{ duplicate: boolean; result?: T }>;
}

/** The two operations a guard needs from a store; `set` only has to succeed when the key is new. */
export interface KeyStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export interface GuardOptions {
  /** How long a processed key is remembered; should exceed the broker's longest redelivery window. */
  ttlSeconds: number;
  /** Namespaces keys so two guards on one store (e.g. two topics) cannot collide. */
  prefix?: string;
  /** Called when the work succeeded but the key could not be recorded (a later redelivery would repeat it). */
  onMarkError?: (err: unknown, key: string) => void;
}

/**
 * Marks a key only after work succeeded, so a failed attempt is retried on redelivery.
 * The price is at-least-once: a crash between work and mark runs work again, as does a
 * second replica racing on the same key; handlers stay idempotent in their own effects.
 */
export function keyStoreGuard(store: KeyStore, opts: GuardOptions): IdempotencyGuard {
  const prefix = opts.prefix ?? '';
  // Same-process concurrent deliveries of one key wait for the first instead of racing it.
  const running = new Map<string, Promise<unknown>>();

  return {
    async runOnce<T>(key: string, work: () => Promise<T>) {
      const storeKey = prefix + key;
      for (let pending = running.get(storeKey); pending; pending = running.get(storeKey)) {
        await pending.catch(() => undefined);
      }
      // Registered synchronously after the wait, so a third delivery cannot slip in between.
      const attempt = (async (): Promise<{ duplicate: boolean; result?: T }> => {
        if ((await store.get(storeKey)) !== undefined) return { duplicate: true };
        const result = await work();
        try {
          await store.set(storeKey, new Date().toISOString(), opts.ttlSeconds);
        } catch (err) {
          // The work is done; failing it now would only make the broker redeliver and repeat it.
          opts.onMarkError?.(err, key);
        }
        return { duplicate: false, result };
      })();
      running.set(storeKey, attempt);
      try {
        return await attempt;
      } finally {
        if (running.get(storeKey) === attempt) running.delete(storeKey);
      }
    },
  };
}

/** For tests and single-process tools; forgets everything on restart. */
export function memoryKeyStore(now: () => number = Date.now): KeyStore & { size(): number } {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    async get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return e.value;
    },
    async set(key, value, ttlSeconds) {
      entries.set(key, { value, expiresAt: now() + ttlSeconds * 1000 });
    },
    size: () => entries.size,
  };
}

/** Keys in the Dapr state store, written first-write so an existing key is never overwritten. */
export function daprKeyStore(client: DaprClient, storeName?: string): KeyStore {
  return {
    async get(key) {
      const entry = await client.getState<unknown>(key, { consistency: 'strong', ...(storeName ? { storeName } : {}) });
      return entry === undefined ? undefined : String(entry.value);
    },
    async set(key, value, ttlSeconds) {
      try {
        await client.saveState(key, value, {
          concurrency: 'first-write',
          consistency: 'strong',
          ttlSeconds,
          ...(storeName ? { storeName } : {}),
        });
      } catch (err) {
        // Another replica marked it first: the key is recorded either way.
        if (err instanceof StateConflictError) return;
        throw err;
      }
    },
  };
}

export function stateStoreGuard(
  client: DaprClient,
  opts: GuardOptions & { storeName?: string },
): IdempotencyGuard {
  return keyStoreGuard(daprKeyStore(client, opts.storeName), { ...opts, prefix: opts.prefix ?? 'idempotency:' });
}
