/**
 * Exponential backoff with jitter: replicas that lost the sidecar together do not come back in lockstep.
 * The result lies in [half, full] of min(cap, base * 2^failures).
 */
export function backoffDelay(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const full = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
  return Math.round(full / 2 + (random() * full) / 2);
}
