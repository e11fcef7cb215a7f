import type { Actor, SeriesEndReason, SeriesState } from '@lifeline/contracts';
import { preconditionFailed } from '@lifeline/kit';
import type { Emit } from '@lifeline/db';
import type { Tx } from '../data/db.ts';
import { supersedeUntouched } from '../data/instance-repository.ts';
import { saveSeries } from '../data/series-repository.ts';
import { seriesEvent } from './series-event.ts';
import { applyTemplatePatch, changedTemplateFields, type TemplatePatch } from './series-template.ts';

// The changes a series goes through, for a locked series inside the caller's transaction. Whoever asks
// (PATCH/DELETE, a change of the source task, generation) gets the same effects and the same events.

async function save(tx: Tx, after: SeriesState, before: SeriesState): Promise<void> {
  if (!(await saveSeries(tx, after, before.version))) {
    throw preconditionFailed(`Series ${before.id} changed while this change was applied. Read it again and retry.`, { type: 'version-conflict' });
  }
}

/**
 * Applies a template change. Future instances nobody started are superseded (their tasks are cancelled by the
 * series.updated consumer) and generation restarts at `now` under the next revision; done and user-changed
 * instances stay. A patch that changes nothing answers the series as it is, with no event.
 */
export async function reviseSeries(tx: Tx, emit: Emit, before: SeriesState, patch: TemplatePatch, actor: Actor, now: Date): Promise<SeriesState> {
  const patched = applyTemplatePatch(before, patch);
  const changedFields = changedTemplateFields(before, patched);
  if (changedFields.length === 0) return before;

  const after: SeriesState = {
    ...patched,
    revision: before.revision + 1,
    generatedUntil: now.toISOString(),
    version: before.version + 1,
    updatedAt: now.toISOString(),
  };
  await save(tx, after, before);
  await supersedeUntouched(tx, before.id, now);
  emit(seriesEvent('series.updated', before.id, actor, { before, after, changedFields: [...changedFields, 'revision', 'generatedUntil'] }));
  return after;
}

/**
 * Ends an active series. Unless the rule simply ran out (its last instances are still due and stay), future
 * instances nobody started are superseded; the series.ended consumer cancels their tasks.
 */
export async function endSeries(tx: Tx, emit: Emit, before: SeriesState, reason: SeriesEndReason, actor: Actor, now: Date): Promise<SeriesState> {
  if (before.status === 'ended') return before;
  const after: SeriesState = {
    ...before,
    status: 'ended',
    endReason: reason,
    endedAt: now.toISOString(),
    version: before.version + 1,
    updatedAt: now.toISOString(),
  };
  await save(tx, after, before);
  if (reason !== 'rule-exhausted') await supersedeUntouched(tx, before.id, now);
  emit(seriesEvent('series.ended', before.id, actor, { seriesId: before.id, ownerId: before.ownerId, reason, endedAt: after.endedAt ?? now.toISOString() }));
  return after;
}
