import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { APP_API_TOKEN, deliver, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { admin, createAuditSchema, type AuditSchema } from './support/database.ts';
import { TRACE_ID, cloudEvent, taskCreated, taskState } from './support/events.ts';

describe('recording events delivered by the sidecar', () => {
  let db: AuditSchema;
  let audit: RunningAudit;

  before(async () => {
    db = await createAuditSchema('record');
    audit = await startAudit({ DB_SCHEMA: db.schema });
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  async function rowsFor(eventId: string): Promise<number> {
    const { rows } = await admin((c) => c.query('SELECT count(*)::int AS n FROM audit_events WHERE event_id = $1', [eventId]), db.schema);
    return (rows[0] as { n: number }).n;
  }

  it('when a valid task.created arrives, then it is stored and GET /audit returns it for that task', async () => {
    const event = taskCreated();
    const res = await deliver(audit.url, 'task-events', cloudEvent('task-events', event));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'SUCCESS' });

    const list = await getJson(audit.url, `/audit?entity_type=task&entity_id=${event.subject}`, ['compliance']);
    assert.equal(list.status, 200);
    const body = (await list.json()) as { items: Array<Record<string, unknown>>; nextCursor: string | null };
    assert.equal(body.nextCursor, null);
    assert.equal(body.items.length, 1);
    const item = body.items[0]!;
    assert.equal(item['eventId'], event.id);
    assert.equal(item['occurredAt'], new Date(event.time).toISOString());
    assert.equal(item['sourceApp'], 'tasks');
    assert.equal(item['eventType'], 'task.created');
    assert.equal(item['action'], 'created');
    assert.equal(item['entityType'], 'task');
    assert.equal(item['entityId'], event.subject);
    assert.equal(item['actorId'], event.actor.id);
    assert.equal(item['actorKind'], 'user');
    assert.equal(item['before'], null);
    assert.deepEqual(item['after'], event.data.after);
    assert.deepEqual(item['changedFields'], []);
    assert.equal(item['traceId'], TRACE_ID);
    assert.equal((item['metadata'] as Record<string, unknown>)['schemaVersion'], 1);
    assert.equal(typeof item['recordedAt'], 'string');
  });

  it('when the same event is delivered twice, then it is stored once and both deliveries succeed', async () => {
    const event = taskCreated();
    const envelope = cloudEvent('task-events', event);
    const first = await deliver(audit.url, 'task-events', envelope);
    const second = await deliver(audit.url, 'task-events', envelope);
    assert.deepEqual(await first.json(), { status: 'SUCCESS' });
    assert.deepEqual(await second.json(), { status: 'SUCCESS' });
    assert.equal(await rowsFor(event.id), 1);
  });

  it('when an update arrives, then before, after and the changed fields are recorded', async () => {
    const beforeState = taskState();
    const afterState = { ...beforeState, title: 'Take medication with food', version: 2, updatedAt: '2026-03-02T09:00:00.000Z' };
    const event = {
      ...taskCreated({ task: beforeState }),
      id: randomUUID(),
      type: 'task.updated',
      data: { before: beforeState, after: afterState, changedFields: ['title'] },
    };
    const res = await deliver(audit.url, 'task-events', cloudEvent('task-events', event));
    assert.deepEqual(await res.json(), { status: 'SUCCESS' });
    const { rows } = await admin(
      (c) => c.query('SELECT action, before, after, changed_fields FROM audit_events WHERE event_id = $1', [event.id]),
      db.schema,
    );
    assert.deepEqual(rows, [{ action: 'updated', before: beforeState, after: afterState, changed_fields: ['title'] }]);
  });

  it('when the data breaks the contract, then the answer is DROP and nothing is stored', async () => {
    const event = taskCreated();
    const broken = { ...event, data: { after: { ...event.data.after, priority: 'whenever' } } };
    const res = await deliver(audit.url, 'task-events', cloudEvent('task-events', broken));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'DROP' });
    assert.equal(await rowsFor(event.id), 0);
  });

  it('when a dead letter arrives, then it is recorded with the reason and listed by GET /audit/dead-letters', async () => {
    const broken = { ...taskCreated(), schemaVersion: 99 };
    const envelope = cloudEvent('task-events.dead-letter', broken);
    const res = await deliver(audit.url, 'task-events.dead-letter', envelope);
    assert.deepEqual(await res.json(), { status: 'SUCCESS' });
    // A redelivery of the same dead letter is not recorded twice.
    await deliver(audit.url, 'task-events.dead-letter', envelope);

    for (const topic of ['task-events', 'task-events.dead-letter']) {
      const list = await getJson(audit.url, `/audit/dead-letters?topic=${topic}`, ['admin']);
      assert.equal(list.status, 200);
      const body = (await list.json()) as { items: Array<Record<string, unknown>> };
      const mine = body.items.filter((d) => d['cloudEventId'] === envelope['id']);
      assert.equal(mine.length, 1, `listed once under ${topic}`);
      const letter = mine[0]!;
      assert.equal(letter['topic'], 'task-events');
      assert.equal(letter['deadLetterTopic'], 'task-events.dead-letter');
      assert.deepEqual(letter['payload'], broken);
      assert.match(String(letter['reason']), /schemaVersion/);
      assert.equal(typeof letter['receivedAt'], 'string');
    }
  });

  it('when a dead letter is not even JSON data, then it is still recorded as delivered', async () => {
    const envelope = cloudEvent('reminders.dead-letter', 'not an event', { datacontenttype: 'text/plain' });
    const res = await deliver(audit.url, 'reminders.dead-letter', envelope);
    assert.deepEqual(await res.json(), { status: 'SUCCESS' });
    const { rows } = await admin((c) => c.query('SELECT topic, payload FROM dead_letters WHERE cloud_event_id = $1', [envelope['id']]), db.schema);
    assert.deepEqual(rows, [{ topic: 'reminders', payload: 'not an event' }]);
  });

  it('when the sidecar call lacks the app token, then it is refused with 401 and nothing is stored', async () => {
    const event = taskCreated();
    const missing = await deliver(audit.url, 'task-events', cloudEvent('task-events', event), null);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
    const wrong = await deliver(audit.url, 'task-events', cloudEvent('task-events', event), `${APP_API_TOKEN}-wrong`);
    assert.equal(wrong.status, 401);
    const subscribe = await fetch(`${audit.url}/dapr/subscribe`);
    assert.equal(subscribe.status, 401);
    assert.equal(await rowsFor(event.id), 0);
  });

  it('when an event carries a NUL character, then the contract refuses it with DROP (dead-lettered, never retried forever) and nothing is stored', async () => {
    const valid = taskCreated();
    const event = { ...valid, data: { after: { ...valid.data.after, title: 'Take\u0000medication' } } };
    const res = await deliver(audit.url, 'task-events', cloudEvent('task-events', event));
    assert.deepEqual(await res.json(), { status: 'DROP' });
    const { rows } = await admin((c) => c.query(`SELECT 1 FROM audit_events WHERE event_id = $1`, [event.id]), db.schema);
    assert.equal(rows.length, 0);
  });
});

describe('recording while the database is unavailable', () => {
  let audit: RunningAudit;
  before(async () => {
    // Nothing listens on port 1: every query fails the way an outage does.
    audit = await startAudit({ DB_SCHEMA: 'audit', DATABASE_URL: 'postgres://audit_app:x@127.0.0.1:1/lifeline' });
  });
  after(async () => {
    await audit?.close();
  });

  it('when the insert fails, then the answer is RETRY so the sidecar redelivers', async () => {
    const res = await deliver(audit.url, 'task-events', cloudEvent('task-events', taskCreated()));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'RETRY' });
    const dead = await deliver(audit.url, 'task-events.dead-letter', cloudEvent('task-events.dead-letter', { any: 'thing' }));
    assert.deepEqual(await dead.json(), { status: 'RETRY' });
  });
});
