import { randomUUID } from 'node:crypto';
import type { TaskState } from '@lifeline/contracts';
import { canActFor, forbidden, unprocessable, type AuthContext } from '@lifeline/kit';
import { inOutboxTransaction, rawSql } from '@lifeline/db';
import { checkRecurrence } from '@lifeline/recurrence';
import { claimIdempotencyKey } from '../data/idempotency-repository.ts';
import { insertTask, insertTaskWithEvent } from '../data/task-repository.ts';
import { nowIso, type TaskDeps } from './task-deps.ts';
import { taskEvent } from './task-event.ts';

export interface NewTask {
  /** Whose task it is; the caller when absent. */
  ownerId?: string | undefined;
  title: string;
  notes?: string | null | undefined;
  priority: TaskState['priority'];
  tags: string[];
  dueAt?: string | null | undefined;
  remindAt?: string | null | undefined;
  /** Absent: the recurrence's TZID when there is one, else UTC. */
  timezone?: string | undefined;
  recurrence?: string | null | undefined;
}

export interface IdempotentRequest {
  key: string;
  /** Hash of the canonical request body: the same key with a different body is refused. */
  requestHash: string;
}

export interface Created {
  task: TaskState;
  /** True when an earlier request with the same Idempotency-Key created it and this one only repeats the answer. */
  replayed: boolean;
}

export async function createTask(deps: TaskDeps, caller: AuthContext, input: NewTask, idempotency?: IdempotentRequest): Promise<Created> {
  const ownerId = input.ownerId ?? caller.userId;
  if (!canActFor(caller, ownerId)) {
    throw forbidden('You may create tasks only for yourself or for the people you care for.');
  }
  const rule = input.recurrence ? await checkRecurrence(deps.recurrence, input.recurrence) : undefined;

  const now = nowIso(deps);
  const task: TaskState = {
    id: randomUUID(),
    ownerId,
    title: input.title,
    notes: input.notes ?? null,
    priority: input.priority,
    tags: input.tags,
    dueAt: input.dueAt ?? null,
    remindAt: input.remindAt ?? null,
    timezone: input.timezone ?? rule?.tzid ?? 'UTC',
    status: 'open',
    completedAt: null,
    recurrence: rule?.text ?? null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: caller.userId,
  };
  const created = taskEvent('task.created', task.id, caller, { after: task });

  if (idempotency === undefined) {
    // The busiest write of the platform: straight on the pool, not through Prisma's query engine.
    await insertTaskWithEvent(rawSql(deps.prisma), task, created);
    deps.outboxWritten();
    return { task, replayed: false };
  }
  return inOutboxTransaction(deps, async (tx, emit) => {
    // Claimed in this transaction: if the create fails, the key is free again for a retry.
    const claim = await claimIdempotencyKey(tx, { callerId: caller.userId, key: idempotency.key, requestHash: idempotency.requestHash, task, ttlHours: deps.idempotencyTtlHours });
    if (!claim.claimed) {
      if (claim.requestHash !== idempotency.requestHash) {
        throw unprocessable('This Idempotency-Key was already used with a different request body. Use a new key for a new request.', {
          type: 'idempotency-key-reuse',
        });
      }
      return { task: claim.task, replayed: true };
    }
    await insertTask(tx, task);
    emit(created);
    return { task, replayed: false };
  });
}
