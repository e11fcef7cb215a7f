import type { DataOf, EventType, TaskState } from '../src/index.ts';

export const ownerId = 'user-7f3a';
export const taskId = '0b7e4c6a-5a1e-4f0d-9a53-2f3a9f1c8d11';
const seriesId = '6f0f5a3e-1d2b-4c7a-8e9f-0a1b2c3d4e5f';
const emergencyId = '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const notificationId = '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d';
const causeEventId = '2b3c4d5e-6f70-4b9c-8d1e-2f3a4b5c6d7e';
const geofenceId = '3c4d5e6f-7081-4cad-9e2f-3a4b5c6d7e8f';
const contactId = '4d5e6f70-8192-4dbe-af30-4b5c6d7e8f90';

export const openTask: TaskState = {
  id: taskId,
  ownerId,
  title: 'Take medication',
  notes: null,
  priority: 'high',
  tags: ['health'],
  dueAt: '2025-03-30T08:00:00+02:00',
  remindAt: '2025-03-30T07:45:00+02:00',
  timezone: 'Europe/Berlin',
  status: 'open',
  completedAt: null,
  recurrence: 'FREQ=DAILY;BYHOUR=8',
  version: 1,
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:00:00.000Z',
  createdBy: 'caregiver-1',
};

const doneTask: TaskState = {
  ...openTask,
  status: 'done',
  completedAt: '2025-03-30T08:03:00+02:00',
  version: 2,
  updatedAt: '2025-03-30T06:03:00.000Z',
};

const outsideContact = { kind: 'contact' as const, contactId, name: 'Nadia Neighbour', email: 'nadia@example.test' };

const position = { lat: 52.52, lon: 13.405, accuracyM: 12, recordedAt: '2025-03-30T06:00:00Z' };

const series = {
  id: seriesId,
  ownerId,
  sourceTaskId: taskId,
  title: 'Take medication',
  notes: null,
  priority: 'high' as const,
  tags: ['health'],
  recurrence: 'DTSTART;TZID=Europe/Berlin:20250330T080000\nRRULE:FREQ=DAILY',
  timezone: 'Europe/Berlin',
  startsAt: '2025-03-30T08:00:00+02:00',
  remindBeforeMinutes: 15,
  status: 'active' as const,
  endReason: null,
  endedAt: null,
  revision: 1,
  generatedUntil: '2025-03-01T10:00:00Z',
  version: 1,
  createdAt: '2025-03-01T10:00:00Z',
  updatedAt: '2025-03-01T10:00:00Z',
  createdBy: 'caregiver-1',
};

const delivery = { notificationId, userId: ownerId, channel: 'email' as const, causeEventId, causeEventType: 'reminder.due' };

/** One valid payload per event type; the mapped type makes a new type without a sample a compile error. */
export const sampleData: { [T in EventType]: DataOf<T> } = {
  'task.created': { after: openTask },
  'task.updated': { before: openTask, after: { ...openTask, title: 'Take pills', version: 2 }, changedFields: ['title'] },
  'task.completed': { before: openTask, after: doneTask },
  'task.deleted': { before: openTask },
  'series.created': { after: series },
  'series.updated': {
    before: series,
    after: { ...series, recurrence: 'DTSTART;TZID=Europe/Berlin:20250330T090000\nRRULE:FREQ=DAILY', revision: 2, version: 2 },
    changedFields: ['recurrence', 'revision'],
  },
  'series.ended': { seriesId, ownerId, reason: 'recurrence-removed', endedAt: '2025-04-01T00:00:00Z' },
  'instances.generated': {
    seriesId,
    ownerId,
    instances: [{ taskId, dueAt: '2025-03-31T08:00:00+02:00' }],
    horizonEnd: '2025-06-28T08:00:00+02:00',
  },
  'reminder.due': {
    taskId,
    ownerId,
    title: 'Take medication',
    priority: 'high',
    dueAt: '2025-03-30T08:00:00+02:00',
    remindAt: '2025-03-30T07:45:00+02:00',
    timezone: 'Europe/Berlin',
  },
  'notification.sent': { ...delivery, attempt: 1, sentAt: '2025-03-30T05:45:02Z' },
  'notification.failed': { ...delivery, attempt: 2, error: 'SMTP 451', willRetry: true, failedAt: '2025-03-30T05:45:02Z' },
  'notification.suppressed': { ...delivery, reason: 'quiet-hours', suppressedAt: '2025-03-30T05:45:02Z' },
  'emergency.created': {
    emergencyId,
    userId: ownerId,
    raisedBy: ownerId,
    message: 'I fell',
    location: position,
    policyId: null,
    createdAt: '2025-03-30T06:00:01Z',
  },
  'emergency.acknowledged': {
    emergencyId,
    userId: ownerId,
    acknowledgedBy: 'caregiver-1',
    responderName: 'caregiver-1',
    acknowledgedAt: '2025-03-30T06:01:00Z',
    notified: [{ kind: 'user', userId: 'caregiver-1' }, outsideContact],
  },
  'emergency.escalated': {
    emergencyId,
    userId: ownerId,
    kind: 'sos',
    message: 'I fell',
    tier: 2,
    round: 1,
    order: 'nearest_first',
    basis: 'distance',
    recipients: [{ kind: 'user', userId: 'caregiver-1' }, outsideContact],
    escalatedAt: '2025-03-30T06:05:00Z',
  },
  'emergency.resolved': { emergencyId, userId: ownerId, resolvedBy: 'caregiver-1', resolution: null, resolvedAt: '2025-03-30T06:30:00Z', notified: [outsideContact] },
  'emergency.cancelled': { emergencyId, userId: ownerId, cancelledBy: ownerId, reason: 'false alarm', cancelledAt: '2025-03-30T06:00:30Z', notified: [] },
  'emergency.check_in_missed': {
    checkInId: contactId,
    userId: ownerId,
    emergencyId,
    note: 'Walking home through the park',
    dueAt: '2025-03-30T22:30:00Z',
    missedAt: '2025-03-30T22:35:00Z',
  },
  'emergency.exhausted': { emergencyId, userId: ownerId, kind: 'fall', tiers: 2, recipients: [outsideContact], exhaustedAt: '2025-03-30T06:20:00Z' },
  'geofence.entered': { geofenceId, geofenceName: 'Home', userId: ownerId, position, caregivers: ['caregiver-1'] },
  'geofence.exited': { geofenceId, geofenceName: 'Home', userId: ownerId, position, caregivers: [] },
  'emergency.position': { emergencyId, userId: ownerId, position, viewers: ['caregiver-1'] },
};
