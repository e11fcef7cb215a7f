import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventSchemas, makeEvent, topicNames, topicSchemas, topics } from '../src/index.ts';
import { openTask, sampleData, taskId } from './samples.ts';

const actor = { id: 'caregiver-1', kind: 'user' } as const;

function validTaskCreated(): Record<string, unknown> {
  return {
    id: '5f0c3a2e-8d1b-4e6f-9a7c-0b1d2e3f4a5b',
    type: 'task.created',
    source: 'tasks',
    time: '2025-03-01T10:00:00.000Z',
    subject: taskId,
    actor,
    schemaVersion: 1,
    data: { after: openTask },
  };
}

function issuePaths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] {
  assert.equal(result.success, false, 'expected the event to be rejected');
  return (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
}

describe('event schemas', () => {
  const allTypes = topicNames.flatMap((topic) => [...topics[topic]]);

  for (const type of allTypes) {
    it(`when a well-formed ${type} event is built, then it parses`, () => {
      const event = makeEvent(type, { source: 'tasks', subject: 'subject-1', actor, data: sampleData[type] });
      assert.equal(event.type, type);
      assert.deepEqual(eventSchemas[type].parse(JSON.parse(JSON.stringify(event))), event);
    });
  }

  it('when the id is missing, then parsing fails at path "id"', () => {
    const event = validTaskCreated();
    delete event.id;
    assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse(event)), ['id']);
  });

  it('when the id is not a UUID, then parsing fails at path "id"', () => {
    const event = { ...validTaskCreated(), id: 'evt-1' };
    assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse(event)), ['id']);
  });

  it('when the type does not match the schema, then parsing fails at path "type"', () => {
    const event = { ...validTaskCreated(), type: 'task.exploded' };
    assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse(event)), ['type']);
  });

  it('when the envelope has an unknown field, then parsing fails naming the field', () => {
    const result = eventSchemas['task.created'].safeParse({ ...validTaskCreated(), priority: 'high' });
    assert.deepEqual(issuePaths(result), ['']);
    assert.match(result.error?.issues[0]?.message ?? '', /priority/);
  });

  it('when the task state has an unknown field, then parsing fails at the nested path', () => {
    const event = { ...validTaskCreated(), data: { after: { ...openTask, colour: 'red' } } };
    const result = eventSchemas['task.created'].safeParse(event);
    assert.deepEqual(issuePaths(result), ['data.after']);
    assert.match(result.error?.issues[0]?.message ?? '', /colour/);
  });

  for (const time of ['2025-03-01T10:00:00', '2025-03-01 10:00:00Z', '01/03/2025', '2025-02-30T10:00:00Z']) {
    it(`when the time is "${time}", then parsing fails at path "time"`, () => {
      assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse({ ...validTaskCreated(), time })), ['time']);
    });
  }

  it('when a nested datetime lacks an offset, then parsing fails at its path', () => {
    const event = { ...validTaskCreated(), data: { after: { ...openTask, dueAt: '2025-03-30T08:00:00' } } };
    assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse(event)), ['data.after.dueAt']);
  });

  it('when the title is longer than 200 characters, then parsing fails at "data.after.title"', () => {
    const event = { ...validTaskCreated(), data: { after: { ...openTask, title: 'x'.repeat(201) } } };
    const result = eventSchemas['task.created'].safeParse(event);
    assert.deepEqual(issuePaths(result), ['data.after.title']);
    assert.match(result.error?.issues[0]?.message ?? '', /200/);
  });

  it('when schemaVersion is not 1, then parsing fails at path "schemaVersion"', () => {
    const event = { ...validTaskCreated(), schemaVersion: 2 };
    assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse(event)), ['schemaVersion']);
  });

  it('when the actor kind is unknown, then parsing fails at "actor.kind"', () => {
    const event = { ...validTaskCreated(), actor: { id: 'x', kind: 'robot' } };
    assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse(event)), ['actor.kind']);
  });

  it('when traceparent is malformed, then parsing fails at "traceparent"', () => {
    const event = { ...validTaskCreated(), traceparent: 'not-a-trace' };
    assert.deepEqual(issuePaths(eventSchemas['task.created'].safeParse(event)), ['traceparent']);
  });

  it('when more than 12 instances are generated at once, then parsing fails at "data.instances"', () => {
    const instance = { taskId, dueAt: '2025-03-31T08:00:00+02:00' };
    const data = { ...sampleData['instances.generated'], instances: Array.from({ length: 13 }, () => instance) };
    assert.throws(
      () => makeEvent('instances.generated', { source: 'recurring', subject: taskId, actor, data }),
      (error: { issues: { path: PropertyKey[] }[] }) => error.issues[0]?.path.join('.') === 'data.instances',
    );
  });
});

describe('makeEvent', () => {
  it('when called, then it fills a fresh UUID id, the current time and schemaVersion 1', () => {
    const before = Date.now();
    const first = makeEvent('task.created', { source: 'tasks', subject: taskId, actor, data: { after: openTask } });
    const second = makeEvent('task.created', { source: 'tasks', subject: taskId, actor, data: { after: openTask } });
    assert.match(first.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(first.id, second.id);
    assert.ok(Date.parse(first.time) >= before - 1 && Date.parse(first.time) <= Date.now());
    assert.equal(first.schemaVersion, 1);
    assert.equal('traceparent' in first, false);
  });

  it('when a traceparent is given, then it is carried on the event', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const event = makeEvent('reminder.due', {
      source: 'tasks',
      subject: taskId,
      actor: { id: 'tasks', kind: 'system' },
      data: sampleData['reminder.due'],
      traceparent,
    });
    assert.equal(event.traceparent, traceparent);
  });

  it('when the data is invalid, then it throws instead of returning an unpublishable event', () => {
    assert.throws(
      () =>
        makeEvent('task.created', {
          source: 'tasks',
          subject: taskId,
          actor,
          data: { after: { ...openTask, priority: 'whenever' as 'low' } },
        }),
      /data.*after.*priority|priority/s,
    );
  });

  it('when the source is not an app id, then it throws', () => {
    assert.throws(() =>
      makeEvent('task.deleted', { source: 'Tasks Service', subject: taskId, actor, data: { before: openTask } }),
    );
  });

  it('when a deterministic id and time are given, then they are kept', () => {
    const id = '5f0c3a2e-8d1b-4e6f-9a7c-0b1d2e3f4a5b';
    const time = '2025-03-30T05:45:00Z';
    const event = makeEvent('task.deleted', { source: 'tasks', subject: taskId, actor, data: { before: openTask }, id, time });
    assert.equal(event.id, id);
    assert.equal(event.time, time);
  });
});

describe('emergency.escalated versions', () => {
  const page = makeEvent('emergency.escalated', { source: 'emergency', subject: 'e-1', actor, data: sampleData['emergency.escalated'] });

  it('when a page is built, then it is version 3 and carries no acknowledgement link', () => {
    assert.equal(page.schemaVersion, 3);
    assert.doesNotMatch(JSON.stringify(page), /acknowledgeUrl|token=/);
  });

  it('when a version 2 page (with the link) arrives on the topic during a rollout, then the topic schema still accepts it', () => {
    const data: Record<string, unknown> = { ...page.data };
    delete data.order;
    delete data.basis;
    const v2 = {
      ...page,
      schemaVersion: 2,
      data: { ...data, recipients: page.data.recipients.map((r) => (r.kind === 'contact' ? { ...r, acknowledgeUrl: 'https://lifeline.example/api/v1/emergencies/x/respond?token=abc' } : r)) },
    };
    const parsed = topicSchemas['emergency-events'].parse(v2);
    assert.equal(parsed.type === 'emergency.escalated' && parsed.schemaVersion, 2);
  });

  it('when a version 3 page carries an acknowledgement link, then it is refused', () => {
    const withLink = { ...page, data: { ...page.data, recipients: page.data.recipients.map((r) => ({ ...r, acknowledgeUrl: 'https://x.test/?token=abc' })) } };
    assert.equal(topicSchemas['emergency-events'].safeParse(withLink).success, false);
  });
});
