export interface ClosedLoopResult {
  /** One latency per completed call, from its start to its end. */
  latenciesMs: number[];
  errors: number;
  firstError: string | undefined;
  elapsedS: number;
}

/**
 * Keeps `concurrency` calls going for `durationS` (each worker starts its next call when one ends): how fast
 * something can go at all, for a ceiling. Latency here is service time under that concurrency, not what an
 * open-loop client would see.
 */
export async function runClosedLoop(opts: { concurrency: number; durationS: number; fire: (i: number) => Promise<boolean> }): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const endAt = started + opts.durationS * 1000;
  const worker = async () => {
    while (performance.now() < endAt) {
      const t0 = performance.now();
      try {
        if (await opts.fire(next++)) latenciesMs.push(performance.now() - t0);
        else errors++;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { latenciesMs, errors, firstError, elapsedS: (performance.now() - started) / 1000 };
}
