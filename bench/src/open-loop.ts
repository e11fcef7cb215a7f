export interface OpenLoopResult {
  /** Latency of each completed request, measured from when it was due (not when it was sent). */
  latenciesMs: number[];
  errors: number;
  sent: number;
  elapsedS: number;
}

/**
 * Fires `fire()` at a constant arrival rate whatever the responses do (open loop), so a slow server
 * shows up as latency instead of silently lowering the offered load (coordinated omission). Bounded in
 * count and time; `maxInFlight` caps concurrency so an overloaded server cannot exhaust sockets.
 */
export async function runOpenLoop(opts: { rate: number; durationS: number; maxInFlight?: number; fire: (i: number) => Promise<boolean> }): Promise<OpenLoopResult> {
  const total = Math.round(opts.rate * opts.durationS);
  const intervalMs = 1000 / opts.rate;
  const maxInFlight = opts.maxInFlight ?? 512;
  const latenciesMs: number[] = [];
  let errors = 0;
  let inFlight = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight >= maxInFlight) {
      errors++;
      continue;
    }
    inFlight++;
    pending.push(
      opts.fire(i).then(
        (ok) => {
          inFlight--;
          if (ok) latenciesMs.push(performance.now() - due);
          else errors++;
        },
        () => {
          inFlight--;
          errors++;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latenciesMs, errors, sent: total, elapsedS: (performance.now() - started) / 1000 };
}
