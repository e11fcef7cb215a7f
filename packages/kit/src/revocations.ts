import type { DaprClient } from './dapr-client.ts';

/**
 * The denylist of revoked tokens (logout), by `jti`, in a Dapr state store every app reads through its own
 * sidecar. The store must be shared by app ids: the `statestore` component prefixes keys with the app id
 * (each app's idempotency keys are its own), so the denylist has a component of its own whose keys carry
 * its name instead (components/dapr/common/revocations.yaml).
 *
 * Each entry lives as long as the token it names could still be accepted, so the list never outgrows the
 * tokens in circulation.
 */
export interface RevocationStore {
  isRevoked(jti: string): Promise<boolean>;
  revoke(jti: string, untilEpochSeconds: number): Promise<void>;
}

export interface RevocationOptions {
  storeName: string;
  /**
   * "Not revoked" is believed this long before the store is asked again. It bounds how long a revoked
   * token keeps working on an app that saw it just before the revocation; every app asks on its own.
   */
  recheckMs?: number;
  /** When the store cannot be reached, the last answer (if this recent) stands; after it, the request fails. */
  staleIfErrorMs?: number;
  /** Remembered jtis; the least recently asked go first. */
  maxEntries?: number;
  now?: () => number;
}

interface Known {
  revoked: boolean;
  checkedAt: number;
}

const KEY_PREFIX = 'jti:';

export class RevocationUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the token denylist could not be read', { cause });
    this.name = 'RevocationUnavailableError';
  }
}

export function daprRevocations(dapr: Pick<DaprClient, 'getState' | 'saveState'>, opts: RevocationOptions): RevocationStore {
  const recheckMs = opts.recheckMs ?? 500;
  const staleIfErrorMs = opts.staleIfErrorMs ?? 30_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const known = new Map<string, Known>();
  // One store read per jti at a time: a burst of requests with the same token waits for the same answer.
  const pending = new Map<string, Promise<boolean>>();

  function remember(jti: string, revoked: boolean): void {
    known.delete(jti);
    known.set(jti, { revoked, checkedAt: now() });
    while (known.size > maxEntries) {
      const oldest = known.keys().next();
      if (oldest.done) break;
      known.delete(oldest.value);
    }
  }

  async function lookUp(jti: string, last: Known | undefined): Promise<boolean> {
    try {
      const entry = await dapr.getState(KEY_PREFIX + jti, { storeName: opts.storeName });
      const revoked = entry !== undefined;
      remember(jti, revoked);
      return revoked;
    } catch (err) {
      if (last && now() - last.checkedAt <= staleIfErrorMs) return last.revoked;
      throw new RevocationUnavailableError(err);
    }
  }

  return {
    async isRevoked(jti) {
      const last = known.get(jti);
      // A revocation is final: once seen, the store is not asked again about this jti.
      if (last && (last.revoked || now() - last.checkedAt < recheckMs)) return last.revoked;
      let inFlight = pending.get(jti);
      if (!inFlight) {
        inFlight = lookUp(jti, last).finally(() => pending.delete(jti));
        pending.set(jti, inFlight);
      }
      return inFlight;
    },
    async revoke(jti, untilEpochSeconds) {
      const ttlSeconds = Math.max(1, Math.ceil(untilEpochSeconds - now() / 1000));
      await dapr.saveState(KEY_PREFIX + jti, { revokedAt: new Date(now()).toISOString() }, { storeName: opts.storeName, ttlSeconds });
      remember(jti, true);
    },
  };
}
