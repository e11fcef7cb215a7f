import type { SeriesState } from '@lifeline/contracts';
import type { InstanceTaskBody } from '../clients/tasks-client.ts';

/** The task an occurrence becomes: the series template, due at the occurrence, reminded by the series' offset. */
export function instanceBody(series: SeriesState, dueAt: Date): InstanceTaskBody {
  const remindAt = series.remindBeforeMinutes === null ? null : new Date(dueAt.getTime() - series.remindBeforeMinutes * 60_000).toISOString();
  return {
    ownerId: series.ownerId,
    title: series.title,
    notes: series.notes,
    priority: series.priority,
    tags: series.tags,
    dueAt: dueAt.toISOString(),
    remindAt,
    timezone: series.timezone,
  };
}
