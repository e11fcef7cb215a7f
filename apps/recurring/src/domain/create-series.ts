import { seriesStateSchema, type SeriesState } from '@lifeline/contracts';
import { canActFor, forbidden, unprocessable, type AuthContext } from '@lifeline/kit';
import { claimIdempotencyKey, inOutboxTransaction } from '@lifeline/db';
import { checkRecurrence } from '@lifeline/recurrence';
import { insertSeries } from '../data/series-repository.ts';
import { nowOf, type RecurringDeps } from './recurring-deps.ts';
import { seriesEvent } from './series-event.ts';
import { newSeries, type SeriesTemplate } from './series-template.ts';

export interface NewSeries extends Omit<SeriesTemplate, 'ownerId'> {
  /** Whose series; the caller when absent. */
  ownerId?: string | undefined;
  recurrence: string;
}

export interface IdempotentRequest {
  key: string;
  /** Hash of the canonical request body: the same key with a different body is refused. */
  requestHash: string;
}

export interface CreatedSeries {
  series: SeriesState;
  /** True when an earlier request with the same Idempotency-Key created it and this one only repeats the answer. */
  replayed: boolean;
}

/**
 * A series without a source task. The row and series.created commit together; generation runs when that
 * event comes back, so a tasks app that is down delays the instances (broker retries) instead of losing them.
 * With an Idempotency-Key, the key is claimed in the same transaction, so a retried request replays the first
 * answer and a failed one leaves the key free.
 */
export async function createSeries(deps: RecurringDeps, caller: AuthContext, input: NewSeries, idempotency?: IdempotentRequest): Promise<CreatedSeries> {
  const ownerId = input.ownerId ?? caller.userId;
  if (!canActFor(caller, ownerId)) throw forbidden('You may create series only for yourself or for the people you care for.');
  const now = nowOf(deps);
  const rule = await checkRecurrence(deps.evaluator, input.recurrence, { now });

  const template: SeriesTemplate = {
    ownerId,
    title: input.title,
    notes: input.notes,
    priority: input.priority,
    tags: input.tags,
    remindBeforeMinutes: input.remindBeforeMinutes,
  };
  const series = newSeries(template, rule, { sourceTaskId: null, createdBy: caller.userId, now });
  return inOutboxTransaction(deps, async (tx, emit) => {
    if (idempotency !== undefined) {
      const claim = await claimIdempotencyKey(tx, {
        callerId: caller.userId,
        key: idempotency.key,
        requestHash: idempotency.requestHash,
        resourceId: series.id,
        response: series,
        ttlHours: deps.idempotencyTtlHours,
      });
      if (!claim.claimed) {
        if (claim.requestHash !== idempotency.requestHash) {
          throw unprocessable('This Idempotency-Key was already used with a different request body. Use a new key for a new request.', {
            type: 'idempotency-key-reuse',
          });
        }
        return { series: seriesStateSchema.parse(claim.response), replayed: true };
      }
    }
    await insertSeries(tx, series);
    emit(seriesEvent('series.created', series.id, { id: caller.userId, kind: 'user' }, { after: series }));
    return { series, replayed: false };
  });
}
