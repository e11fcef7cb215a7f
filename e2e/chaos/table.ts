import type { Tally } from './effects.ts';
import type { ScenarioResult } from './scenario.ts';

const cell = (t: Tally) => `${t.lost}/${t.duplicated}${t.phantom ? ` +${t.phantom} phantom` : ''}`;
const secs = (s: number | undefined) => (s === undefined ? '-' : s.toFixed(1));

/** One row of the printed table; "lost/dup" per effect, against the tasks actually committed. */
export function tableRow(r: ScenarioResult): Record<string, string> {
  return {
    fault: r.fault,
    broker: r.broker,
    sent: String(r.requests),
    'got 201': String(r.created),
    committed: String(r.committed),
    'audit lost/dup': cell(r.audit),
    'mail lost/dup': cell(r.mail),
    'delivery lost/dup': cell(r.deliveries),
    'outbox unpublished at kill': r.outboxPendingAtKill === undefined ? '-' : String(r.outboxPendingAtKill),
    'recover s': secs(r.recoverS),
    'backlog s': secs(r.backlogS),
  };
}

/** A plain-text table (console.table adds an index column and reorders numeric-looking keys). */
export function formatTable(rows: Record<string, string>[]): string {
  const first = rows[0];
  if (!first) return '(no rows)';
  const cols = Object.keys(first);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((v, i) => v.padEnd(width[i] ?? 0)).join(' | ')} |`;
  return [line(cols), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map((r) => line(cols.map((c) => r[c] ?? '')))].join('\n');
}
