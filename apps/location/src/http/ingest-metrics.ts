import { Counter } from 'prom-client';
import type { Metrics } from '@lifeline/kit';

/**
 * Group commit depth on /metrics: requests / groups is how many requests one transaction carried (1 means no
 * batching happened; the bench prints it per step).
 */
export function ingestMetrics(metrics: Metrics): (requests: number, positions: number) => void {
  const registers = [metrics.registry];
  const groups = new Counter({ name: 'location_ingest_groups_total', help: 'Group commits of positions flushed', registers });
  const requests = new Counter({ name: 'location_ingest_requests_total', help: 'Position requests carried by group commits', registers });
  const positions = new Counter({ name: 'location_ingest_positions_total', help: 'Positions carried by group commits (before deduplication)', registers });
  return (n, weight) => {
    groups.inc();
    requests.inc(n);
    positions.inc(weight);
  };
}
