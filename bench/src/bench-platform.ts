import type { Broker } from '@lifeline/platform';
import { Platform } from '@lifeline/e2e/harness';

/**
 * The platform of a benchmark: the stack's own servers, but every app's schema in a database of the benchmarks'
 * own on the same Postgres, so the hundreds of thousands of rows a run writes never land in the dev database
 * and whatever state that database is in (a migration edited after it was applied) cannot stop a run.
 */
export const BENCH_DATABASE = 'lifeline_bench';

export function prepareBenchPlatform(broker: Broker): Promise<Platform> {
  return Platform.prepare(broker, BENCH_DATABASE);
}
