import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { makeEvent, type DataOf, type EventOf, type EventType, type TaskState } from '@lifeline/contracts';
import { APP_TOKEN } from './notification-app.ts';

export function event<T extends EventType>(type: T, data: DataOf<T>, opts: { actor?: string; subject?: string; source?: string } = {}): EventOf<T> {
  return makeEvent(type, {
    source: opts.source ?? 'tasks',
    subject: opts.subject ?? randomUUID(),
    actor: opts.actor === undefined ? { id: 'system', kind: 'system' } : { id: opts.actor, kind: 'user' },
    data,
  });
}

export function reminderDue(ownerId: string, overrides: Partial<DataOf<'reminder.due'>> = {}): EventOf<'reminder.due'> {
  return event('reminder.due', {
    taskId: randomUUID(),
    ownerId,
    title: 'Take medication',
    priority: 'high',
    dueAt: '2026-03-30T06:00:00.000Z',
    remindAt: '2026-03-30T05:45:00.000Z',
    timezone: 'Europe/Berlin',
    ...overrides,
  });
}

export function taskState(overrides: Partial<TaskState> = {}): TaskState {
  return {
    id: randomUUID(),
    ownerId: 'rita',
    title: 'Water the plants',
    notes: null,
    priority: 'normal',
    tags: [],
    dueAt: '2026-03-30T16:00:00.000Z',
    remindAt: null,
    timezone: 'Europe/Berlin',
    status: 'open',
    completedAt: null,
    recurrence: null,
    version: 1,
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
    createdBy: 'carla',
    ...overrides,
  };
}

/** The CloudEvents 1.0 envelope daprd delivers on a topic route. */
export function cloudEvent(topic: string, data: unknown, pubsubname = 'pubsub'): Record<string, unknown> {
  const type = (data as { type?: unknown } | null)?.type;
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'tasks',
    type: typeof type === 'string' ? type : 'com.dapr.event.sent',
    datacontenttype: 'application/json',
    topic,
    pubsubname,
    data,
  };
}

/** Delivers like daprd does and returns the app's answer (SUCCESS, RETRY or DROP). */
export async function deliver(appUrl: string, topic: string, data: unknown, route = `/events/${topic}`): Promise<string> {
  const res = await fetch(`${appUrl}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', 'dapr-api-token': APP_TOKEN },
    body: JSON.stringify(cloudEvent(topic, data)),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return (JSON.parse(text) as { status: string }).status;
}

export async function putPreferences(appUrl: string, userId: string, body: Record<string, unknown>, authorization: string): Promise<void> {
  const res = await fetch(`${appUrl}/notification/preferences/${encodeURIComponent(userId)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}
