// Where an app's database time goes while a load runs: its role's sessions in pg_stat_activity, sampled, as the
// share of samples in each state (active, idle in transaction, waiting on a lock...). A pool whose sessions are
// all busy while the app's CPU is not is a wait, not a computation.
import pg from 'pg';

export interface SessionSampler {
  /** Stops sampling; per state, the mean number of the role's sessions in it, and the most at once. */
  stop(): Promise<{ samples: number; states: Record<string, string> }>;
}

export async function sampleSessions(adminUrl: string, role: string, everyMs = 250): Promise<SessionSampler> {
  const db = new pg.Client({ connectionString: adminUrl });
  await db.connect();
  const sums = new Map<string, { total: number; most: number }>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await db.query<{ what: string; n: number }>(
        `SELECT coalesce(state, '?') || coalesce(' / ' || wait_event_type || ':' || wait_event, '') AS what, count(*)::int AS n
         FROM pg_stat_activity WHERE usename = $1 AND datname = current_database() GROUP BY 1`,
        [role],
      );
      samples++;
      for (const { what, n } of r.rows) {
        const s = sums.get(what) ?? { total: 0, most: 0 };
        sums.set(what, { total: s.total + n, most: Math.max(s.most, n) });
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await db.end();
      const states = Object.fromEntries(
        [...sums].sort((a, b) => b[1].total - a[1].total).map(([what, s]) => [what, `mean ${(s.total / samples).toFixed(1)}, max ${s.most}`]),
      );
      return { samples, states };
    },
  };
}
