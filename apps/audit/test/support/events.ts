import { randomUUID } from 'node:crypto';
import { makeEvent, type EventOf, type TaskState } from '@lifeline/contracts';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

export function taskState(overrides: Partial<TaskState> = {}): TaskState {
  const now = '2026-03-02T08:00:00.000Z';
  return {
    id: randomUUID(),
    ownerId: 'person-1',
    title: 'Take medication',
    notes: null,
    priority: 'high',
    tags: ['health'],
    dueAt: '2026-03-03T08:00:00.000Z',
    remindAt: null,
    timezone: 'Europe/Berlin',
    status: 'open',
    completedAt: null,
    recurrence: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: 'caregiver-1',
    ...overrides,
  };
}

export function taskCreated(opts: { task?: TaskState; time?: string; traceparent?: string; actor?: string } = {}): EventOf<'task.created'> {
  const task = opts.task ?? taskState();
  return makeEvent('task.created', {
    source: 'tasks',
    subject: task.id,
    actor: { id: opts.actor ?? task.createdBy, kind: 'user' },
    data: { after: task },
    time: opts.time ?? new Date().toISOString(),
    traceparent: opts.traceparent ?? TRACEPARENT,
  });
}

/** The CloudEvents 1.0 envelope daprd delivers on a topic route. */
export function cloudEvent(topic: string, data: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const type = (data as { type?: unknown } | null)?.type;
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'tasks',
    type: typeof type === 'string' ? type : 'com.dapr.event.sent',
    datacontenttype: 'application/json',
    topic,
    pubsubname: 'pubsub',
    traceparent: TRACEPARENT,
    data,
    ...overrides,
  };
}

export function taskUpdated(opts: { task?: TaskState; time?: string; actor?: string; title?: string } = {}): EventOf<'task.updated'> {
  const before = opts.task ?? taskState();
  const after = { ...before, title: opts.title ?? `${before.title} (changed)`, version: before.version + 1 };
  return makeEvent('task.updated', {
    source: 'tasks',
    subject: before.id,
    actor: { id: opts.actor ?? before.ownerId, kind: 'user' },
    data: { before, after, changedFields: ['title', 'version'] },
    time: opts.time ?? new Date().toISOString(),
    traceparent: TRACEPARENT,
  });
}

export function emergencyAcknowledged(opts: { time?: string; actor?: string } = {}): EventOf<'emergency.acknowledged'> {
  const emergencyId = randomUUID();
  const acknowledgedBy = opts.actor ?? 'caregiver-1';
  return makeEvent('emergency.acknowledged', {
    source: 'emergency',
    subject: emergencyId,
    actor: { id: acknowledgedBy, kind: 'user' },
    data: { emergencyId, userId: 'person-1', acknowledgedBy, responderName: acknowledgedBy, acknowledgedAt: opts.time ?? new Date().toISOString(), notified: [] },
    time: opts.time ?? new Date().toISOString(),
  });
}
