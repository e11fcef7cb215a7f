import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEvent } from '@lifeline/contracts';
import { parseCloudEvent, type CloudEvent } from '@lifeline/kit';
import { toAuditRecord } from '../src/domain/audit-record.ts';
import { describeEventType } from '../src/domain/event-naming.ts';
import { toDeadLetterRecord } from '../src/domain/dead-letter.ts';
import { TRACE_ID, cloudEvent, taskCreated, taskState } from './support/events.ts';

function envelope(topic: string, data: unknown): CloudEvent<unknown> {
  const parsed = parseCloudEvent(cloudEvent(topic, data));
  assert.ok(parsed.ok);
  return parsed.event;
}

describe('turning events into audit records', () => {
  it('when the type is "task.created", then the entity is "task" and the action "created"', () => {
    assert.deepEqual(describeEventType('task.created'), { entityType: 'task', action: 'created' });
    assert.deepEqual(describeEventType('instances.generated'), { entityType: 'instances', action: 'generated' });
    assert.deepEqual(describeEventType('odd'), { entityType: 'odd', action: 'odd' });
  });

  it('when a task is completed without a changed-field list, then the changed fields are computed from before and after', () => {
    const before = taskState();
    const after = { ...before, status: 'done' as const, completedAt: '2026-03-02T10:00:00.000Z', version: 2 };
    const event = makeEvent('task.completed', { source: 'tasks', subject: before.id, actor: { id: 'person-1', kind: 'user' }, data: { before, after } });
    const record = toAuditRecord(event, { topic: 'task-events', cloudEvent: envelope('task-events', event) });
    assert.deepEqual(record.changedFields, ['completedAt', 'status', 'version']);
    assert.deepEqual(record.before, before);
    assert.deepEqual(record.after, after);
    assert.equal(record.action, 'completed');
  });

  it('when a task is deleted, then before holds its last state and after is null', () => {
    const before = taskState();
    const event = makeEvent('task.deleted', { source: 'tasks', subject: before.id, actor: { id: 'system', kind: 'system' }, data: { before } });
    const record = toAuditRecord(event, { topic: 'task-events', cloudEvent: envelope('task-events', event) });
    assert.deepEqual(record.before, before);
    assert.equal(record.after, null);
    assert.equal(record.actorKind, 'system');
  });

  it('when a fact carries no before/after state, then its data is recorded as after', () => {
    const data = {
      emergencyId: '3f0e4c1e-5b0e-4d6c-9a39-0c1a5d3c2b10',
      userId: 'person-1',
      acknowledgedBy: 'caregiver-1',
      responderName: 'caregiver-1',
      acknowledgedAt: '2026-03-02T10:00:00.000Z',
      notified: [{ kind: 'user' as const, userId: 'caregiver-1' }],
    };
    const event = makeEvent('emergency.acknowledged', { source: 'emergency', subject: data.emergencyId, actor: { id: 'caregiver-1', kind: 'user' }, data });
    const record = toAuditRecord(event, { topic: 'emergency-events', cloudEvent: envelope('emergency-events', event) });
    assert.equal(record.entityType, 'emergency');
    assert.equal(record.before, null);
    assert.deepEqual(record.after, data);
    assert.deepEqual(record.changedFields, []);
  });

  it('when the event has its own traceparent, then that trace is recorded, and the time keeps the producer\'s string', () => {
    const event = taskCreated({ time: '2026-03-02T10:00:00.123456+01:00' });
    const record = toAuditRecord(event, { topic: 'task-events', cloudEvent: envelope('task-events', event) });
    assert.equal(record.traceId, TRACE_ID);
    assert.equal(record.occurredAt.toISOString(), '2026-03-02T09:00:00.123Z');
    assert.equal(record.metadata['time'], '2026-03-02T10:00:00.123456+01:00');
    assert.equal(record.metadata['topic'], 'task-events');
  });
});

describe('turning dead letters into records', () => {
  it('when the data breaks its topic contract, then the reason names the failing fields', () => {
    const record = toDeadLetterRecord('task-events.dead-letter', envelope('task-events.dead-letter', { type: 'task.created' }));
    assert.equal(record.topic, 'task-events');
    assert.match(record.reason ?? '', /^data does not match the task-events contract: /);
  });

  it('when the data is contract-valid, then the reason is unknown', () => {
    const record = toDeadLetterRecord('task-events.dead-letter', envelope('task-events.dead-letter', taskCreated()));
    assert.equal(record.reason, null);
  });
});
