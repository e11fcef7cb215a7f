import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AnyEvent } from '@lifeline/contracts';
import { bulkBody, bulkStatuses, deliverBulk, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { chainHeads, countRows, createAuditSchema, type AuditSchema } from './support/database.ts';
import { cloudEvent, emergencyAcknowledged, taskCreated, taskState, taskUpdated } from './support/events.ts';

interface Item {
  eventId: string;
  occurredAt: string;
  actorId: string;
  action: string;
  entityType: string;
  entityId: string;
  sourceApp: string;
  chainId: number;
  chainSeq: number;
  hash: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

const task = taskState();
const at = (s: string) => `2026-05-01T10:00:${s}.000Z`;

describe('the audit query endpoints', () => {
  let db: AuditSchema;
  let audit: RunningAudit;
  const history: AnyEvent[] = [
    taskCreated({ task, time: at('00'), actor: 'caregiver-1' }),
    taskUpdated({ task, time: at('01'), actor: 'person-1' }),
    taskUpdated({ task, time: at('02'), actor: 'person-2' }),
  ];
  const emergency = emergencyAcknowledged({ time: '2026-05-02T08:00:00.000Z', actor: 'caregiver-9' });
  // Only ten distinct times for 57 rows: ties are broken by event id, and the cursor must get them right.
  const paged = Array.from({ length: 57 }, (_, i) => taskCreated({ time: `2026-04-01T00:00:0${i % 10}.000Z`, actor: 'pager' }));

  async function deliver(topic: string, events: AnyEvent[]) {
    const res = await deliverBulk(audit.url, topic, bulkBody(topic, events.map((e) => ({ event: cloudEvent(topic, e) }))));
    assert.ok(Object.values(await bulkStatuses(res)).every((s) => s === 'SUCCESS'));
  }

  async function get(path: string): Promise<Page> {
    const res = await getJson(audit.url, path, ['compliance']);
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as Page;
  }

  before(async () => {
    db = await createAuditSchema('queries');
    audit = await startAudit({ DB_SCHEMA: db.schema });
    // Delivered newest first: every listing orders by when things happened, not by arrival.
    await deliver('task-events', [...history].reverse());
    await deliver('emergency-events', [emergency]);
    for (let i = 0; i < paged.length; i += 20) await deliver('task-events', paged.slice(i, i + 20));
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  it('when GET /audit is filtered, then each filter narrows exactly', async () => {
    assert.deepEqual((await get(`/audit?entity_type=emergency`)).items.map((i) => i.eventId), [emergency.id]);
    assert.deepEqual((await get(`/audit?source=emergency`)).items.map((i) => i.eventId), [emergency.id]);
    assert.deepEqual((await get(`/audit?actor=person-2`)).items.map((i) => i.eventId), [history[2]?.id]);
    assert.deepEqual((await get(`/audit?entity_id=${task.id}&action=updated`)).items.map((i) => i.eventId), [history[1]?.id, history[2]?.id]);
    // from inclusive, to exclusive.
    assert.deepEqual((await get(`/audit?entity_id=${task.id}&from=${at('01')}&to=${at('02')}`)).items.map((i) => i.eventId), [history[1]?.id]);
    assert.deepEqual((await get(`/audit?from=2026-05-02&to=2026-05-03`)).items.map((i) => i.eventId), [emergency.id]);
    assert.deepEqual((await get(`/audit?actor=pager&source=emergency`)).items, []);
    const all = await get('/audit?limit=1000');
    assert.equal(all.items.length, 61);
    assert.equal(all.nextCursor, null);
    assert.ok(all.items.every((i) => /^[0-9a-f]{64}$/.test(i.hash) && i.chainSeq >= 1));
  });

  it('when an entity\'s history is asked for, then it comes oldest first, paged, and only that entity', async () => {
    const first = await get(`/audit/task/${task.id}?limit=2`);
    assert.deepEqual(first.items.map((i) => i.occurredAt), [at('00'), at('01')]);
    assert.deepEqual(first.items.map((i) => i.action), ['created', 'updated']);
    const second = await get(`/audit/task/${task.id}?limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(second.items.map((i) => i.occurredAt), [at('02')]);
    assert.equal(second.nextCursor, null);
    assert.deepEqual((await get(`/audit/task/${task.id}?from=${at('02')}`)).items.map((i) => i.eventId), [history[2]?.id]);
    assert.deepEqual((await get(`/audit/emergency/${task.id}`)).items, []);
    assert.deepEqual((await get(`/audit/task/${encodeURIComponent('no such task')}`)).items, []);
  });

  it('when a user\'s activity is asked for, then it lists what that user did, across entities', async () => {
    assert.deepEqual((await get('/audit/user/caregiver-9/activity')).items.map((i) => i.eventId), [emergency.id]);
    assert.deepEqual((await get('/audit/user/person-1/activity')).items.map((i) => [i.eventId, i.actorId]), [[history[1]?.id, 'person-1']]);
    const pager = await get('/audit/user/pager/activity?limit=1000&action=created&entity_type=task&source=tasks');
    assert.equal(pager.items.length, 57);
    assert.deepEqual((await get('/audit/user/pager/activity?action=updated')).items, []);
  });

  it('when paging through rows while new ones arrive (late ones included), then no row is returned twice and none that existed is missed', async () => {
    const original = new Set(paged.map((e) => e.id));
    const seen: Item[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const page: Page = await get(`/audit?actor=pager&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items);
      cursor = page.nextCursor;
      // Between pages: one event that happened long before the cursor (late delivery) and one after everything.
      await deliver('task-events', [
        taskCreated({ time: `2026-03-0${(round % 9) + 1}T00:00:00.000Z`, actor: 'pager' }),
        taskCreated({ time: `2026-04-${String((round % 20) + 2).padStart(2, '0')}T00:00:00.000Z`, actor: 'pager' }),
      ]);
      round++;
    } while (cursor);

    const ids = seen.map((i) => i.eventId);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    for (const id of original) assert.ok(ids.includes(id), `original row ${id} was returned`);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      assert.ok(a.occurredAt < b.occurredAt || (a.occurredAt === b.occurredAt && a.eventId < b.eventId), 'strictly ordered by (occurredAt, eventId)');
    }
    // Late arrivals behind the cursor are not in this walk, by design; later ones are.
    assert.ok(seen.length > original.size);
  });

  it('when any endpoint gets bad parameters, then 400 problem+json names them and nothing changes', async () => {
    const rowsBefore = await countRows(db.schema);
    const headsBefore = await chainHeads(db.schema);
    const bad = (s: string) => Buffer.from(s).toString('base64url');
    const cases: Array<[string, string]> = [
      ['/audit?limit=0', 'limit'],
      ['/audit?limit=1001', 'limit'],
      ['/audit?from=2026-05-01T10:00:00', 'from'],
      ['/audit?from=yesterday', 'from'],
      ['/audit?to=2026-02-30', 'to'],
      ['/audit?from=2026-05-02&to=2026-05-01', 'from'],
      ['/audit?action=Created!', 'action'],
      ['/audit?source=Tasks', 'source'],
      ['/audit?actor=', 'actor'],
      ['/audit?actorId=x', ''],
      ['/audit?cursor=' + bad('2026-05-01T10:00:00.000Z|not-a-uuid'), 'cursor'],
      ['/audit?from=0000-01-01', 'from'],
      [`/audit/task/${task.id}?limit=5000`, 'limit'],
      [`/audit/task/${task.id}?entity_type=task`, ''],
      [`/audit/task/${task.id}?cursor=zzz`, 'cursor'],
      [`/audit/Task!/${task.id}`, 'entityType'],
      [`/audit/task/${'x'.repeat(201)}`, 'entityId'],
      ['/audit/user/pager/activity?actor=someone', ''],
      ['/audit/user/pager/activity?from=2026-13-01', 'from'],
      [`/audit/user/${'u'.repeat(129)}/activity`, 'userId'],
      ['/audit/export?from=2026-05-01', 'to'],
      ['/audit/export?to=2026-05-01', 'from'],
      ['/audit/export?from=2026-05-01&to=2026-05-02&format=xml', 'format'],
      ['/audit/export?from=2026-05-03&to=2026-05-02', 'from'],
      ['/audit/export?from=2026-05-01&to=2026-05-02&limit=5', ''],
      ['/audit/verify?to=soon', 'to'],
      ['/audit/verify?from=2026-05-01&from=2026-05-02', 'from'],
      ['/audit/dead-letters?limit=abc', 'limit'],
      // An invalid bound beside a valid one (the order check used to run on it and answer 500).
      ['/audit?from=2026-05-01&to=0000-01-01', 'to'],
      ['/audit?from=nonsense&to=2026-05-01', 'from'],
      ['/audit/export?from=2026-05-01&to=2026-13-45', 'to'],
      ['/audit/verify?from=0000-01-01&to=2026-05-01', 'from'],
      [`/audit/task/${task.id}?from=2026-05-01&to=1899-12-31`, 'to'],
      ['/audit?from=2026-05-01T10:00:00+16:00', 'from'],
      ['/audit?entity_id=a%00b', 'query.entity_id'],
    ];
    for (const [path, param] of cases) {
      const res = await getJson(audit.url, path, ['admin']);
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
      const body = (await res.json()) as { type: string; status: number; errors: Array<{ path: string }> };
      assert.equal(body.type, 'https://lifeline.dev/problems/validation-error', path);
      assert.ok(body.errors.some((e) => e.path === param), `${path} names ${param || 'the unknown key'}: ${JSON.stringify(body.errors)}`);
    }
    for (const path of ['/audit/task/%FF', '/audit/task/a%00b']) {
      const res = await getJson(audit.url, path, ['admin']);
      assert.equal(res.status, 400, path);
      assert.equal(((await res.json()) as { type: string }).type, 'https://lifeline.dev/problems/malformed-path', path);
    }
    assert.equal(await countRows(db.schema), rowsBefore);
    assert.deepEqual(await chainHeads(db.schema), headsBefore);
  });

  it('when a caller has no token or the wrong role, then every endpoint answers 401 or 403', async () => {
    const paths = [
      '/audit',
      `/audit/task/${task.id}`,
      '/audit/user/pager/activity',
      '/audit/export?from=2026-05-01&to=2026-05-02',
      '/audit/verify',
      '/audit/dead-letters',
    ];
    for (const path of paths) {
      const anonymous = await getJson(audit.url, path, null);
      assert.equal(anonymous.status, 401, path);
      assert.match(anonymous.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal((await getJson(audit.url, path, ['user'])).status, 403, path);
      assert.equal((await getJson(audit.url, path, ['caregiver'])).status, 403, path);
      assert.equal((await getJson(audit.url, path, ['admin'])).status, 200, path);
    }
  });
});
