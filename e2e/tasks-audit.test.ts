// tasks and audit end to end, on the broker named by E2E_BROKER: the system of record and the compliance
// trail through real daprd sidecars, the real broker and real Postgres.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { appDatabases, appDatabaseUrl, brokers, type Broker } from '@lifeline/platform';
import { Platform, waitUntil } from './harness/index.ts';

const broker = (process.env.E2E_BROKER ?? 'redis') as Broker;
if (!brokers.includes(broker)) throw new Error(`E2E_BROKER must be one of ${brokers.join(', ')}`);

interface Task {
  id: string;
  title: string;
  status: string;
  version: number;
}
interface AuditItem {
  eventId: string;
  eventType: string;
  entityId: string;
  actorId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  changedFields: string[];
  occurredAt: string;
}

describe(`tasks and audit on ${broker}`, { timeout: 300_000 }, () => {
  let platform: Platform;
  let officer: string;
  const person = `person-${randomUUID()}`;
  let personToken: string;
  let admin: pg.Client;

  const headers = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra });
  const tasksUrl = (path: string) => platform.appUrl('tasks', path);
  const auditUrl = (path: string) => platform.appUrl('audit', path);

  async function call(url: string, init: RequestInit & { token?: string; extra?: Record<string, string> } = {}) {
    const res = await fetch(url, { ...init, headers: headers(init.token ?? personToken, init.extra) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async function createTask(title: string, extra: Record<string, string> = {}, token?: string): Promise<Task> {
    const res = await call(tasksUrl('/tasks'), { method: 'POST', body: JSON.stringify({ title }), extra, ...(token ? { token } : {}) });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as Task;
  }

  async function history(taskId: string): Promise<AuditItem[]> {
    const res = await call(auditUrl(`/audit/task/${taskId}`), { token: officer });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as { items: AuditItem[] }).items;
  }

  const historyOf = (taskId: string, count: number) =>
    waitUntil(`${count} audit records of ${taskId}`, async () => {
      const items = await history(taskId);
      return items.length >= count ? items : undefined;
    }, 60_000, 300);

  async function taskCount(): Promise<number> {
    const r = await admin.query<{ n: string }>('SELECT count(*) AS n FROM tasks.tasks WHERE owner_id = $1', [person]);
    return Number(r.rows[0]?.n);
  }

  before(async () => {
    platform = await Platform.prepare(broker);
    admin = new pg.Client({ connectionString: platform.adminUrl });
    await admin.connect();
    officer = await platform.token('officer-1', ['compliance']);
    personToken = await platform.token(person, ['user']);
    await platform.start('tasks');
    await platform.start('audit');
  });

  after(async () => {
    await admin?.end();
    await platform?.stopAll();
  });

  test('when a task is created, updated, completed and deleted, then its history shows four records in order with before and after', async () => {
    const task = await createTask('Take medication');
    const patched = await call(tasksUrl(`/tasks/${task.id}`), { method: 'PATCH', body: JSON.stringify({ title: 'Take medication with water' }), extra: { 'if-match': `"${task.version}"` } });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const completed = await call(tasksUrl(`/tasks/${task.id}/complete`), { method: 'POST', extra: { 'if-match': `"${(patched.body as Task).version}"` } });
    assert.equal(completed.status, 200, JSON.stringify(completed.body));
    const deleted = await call(tasksUrl(`/tasks/${task.id}`), { method: 'DELETE' });
    assert.equal(deleted.status, 204);

    const items = await historyOf(task.id, 4);
    assert.deepEqual(items.map((i) => i.eventType), ['task.created', 'task.updated', 'task.completed', 'task.deleted']);
    const [created, updated, done, gone] = items;
    assert.equal(created?.before, null);
    assert.equal(created?.after?.title, 'Take medication');
    assert.equal(updated?.before?.title, 'Take medication');
    assert.equal(updated?.after?.title, 'Take medication with water');
    assert.ok(updated?.changedFields.includes('title'));
    assert.equal(done?.before?.status, 'open');
    assert.equal(done?.after?.status, 'done');
    assert.equal(gone?.before?.status, 'done');
    assert.equal(gone?.after, null);
    assert.ok(items.every((i) => i.actorId === person));
  });

  test('when the trail is filtered, paged and exported, then exactly the matching records come back', async () => {
    // Its own person, so nothing another test wrote matches the filters.
    const pager = `pager-${randomUUID()}`;
    const pagerToken = await platform.token(pager, ['user']);
    const since = new Date(Date.now() - 1000).toISOString();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createTask(`paged ${i}`, {}, pagerToken));
    for (const t of created) await historyOf(t.id, 1);
    const until = new Date(Date.now() + 1000).toISOString();

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ actor: pager, action: 'created', from: since, to: until, limit: '2', ...(cursor ? { cursor } : {}) });
      const res = await call(auditUrl(`/audit?${String(q)}`), { token: officer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const page = res.body as { items: AuditItem[]; nextCursor: string | null };
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((i) => i.entityId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual([...seen].sort(), created.map((t) => t.id).sort());

    const activity = await call(auditUrl(`/audit/user/${pager}/activity?from=${encodeURIComponent(since)}`), { token: officer });
    assert.equal(activity.status, 200);
    assert.ok(created.every((t) => (activity.body as { items: AuditItem[] }).items.some((i) => i.entityId === t.id)));

    const range = new URLSearchParams({ from: since, to: until });
    const ndjson = await fetch(auditUrl(`/audit/export?${String(range)}&format=ndjson`), { headers: headers(officer) });
    assert.equal(ndjson.status, 200);
    const lines = (await ndjson.text()).trim().split('\n').map((l) => JSON.parse(l) as AuditItem);
    const mine = lines.filter((l) => l.actorId === pager);
    assert.deepEqual(mine.map((l) => l.entityId).sort(), created.map((t) => t.id).sort());
    const csv = await fetch(auditUrl(`/audit/export?${String(range)}&format=csv`), { headers: headers(officer) });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const csvText = await csv.text();
    for (const t of created) assert.ok(csvText.includes(t.id), `csv export misses ${t.id}`);
  });

  test('when a PATCH carries a stale version, then it gets 412 and nothing changes', async () => {
    const task = await createTask('original');
    const ok = await call(tasksUrl(`/tasks/${task.id}`), { method: 'PATCH', body: JSON.stringify({ title: 'first writer' }), extra: { 'if-match': '"1"' } });
    assert.equal(ok.status, 200);
    const stale = await call(tasksUrl(`/tasks/${task.id}`), { method: 'PATCH', body: JSON.stringify({ title: 'second writer' }), extra: { 'if-match': '"1"' } });
    assert.equal(stale.status, 412);
    assert.match(stale.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const now = await call(tasksUrl(`/tasks/${task.id}`));
    assert.equal((now.body as Task).title, 'first writer');
  });

  test('when a create is retried with the same Idempotency-Key, then the first task comes back and only one exists', async () => {
    const key = randomUUID();
    const before = await taskCount();
    const first = await createTask('retried create', { 'idempotency-key': key });
    const again = await call(tasksUrl('/tasks'), { method: 'POST', body: JSON.stringify({ title: 'retried create' }), extra: { 'idempotency-key': key } });
    assert.equal(again.status, 201);
    assert.equal((again.body as Task).id, first.id);
    assert.equal(await taskCount(), before + 1);
    const items = await historyOf(first.id, 1);
    assert.equal(items.length, 1);
  });

  test('when the audit app role tries to UPDATE or DELETE audit rows, then the database refuses', async () => {
    const task = await createTask('immutable');
    const [record] = await historyOf(task.id, 1);
    const db = appDatabases().find((d) => d.app === 'audit');
    assert.ok(db);
    const app = new pg.Client({ connectionString: appDatabaseUrl(platform.adminUrl, db) });
    await app.connect();
    try {
      await assert.rejects(app.query(`UPDATE audit.audit_events SET actor_id = 'mallory' WHERE event_id = $1`, [record?.eventId]), /permission denied|append-only/i);
      await assert.rejects(app.query('DELETE FROM audit.audit_events WHERE event_id = $1', [record?.eventId]), /permission denied|append-only/i);
    } finally {
      await app.end();
    }
  });

  test('when a superuser tampers with a stored row, then verify reports the broken link', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const task = await createTask('will be tampered with');
    const [record] = await historyOf(task.id, 1);
    assert.ok(record);
    const to = new Date(Date.now() + 1000).toISOString();
    const verify = () => call(auditUrl(`/audit/verify?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`), { token: officer });
    assert.equal((await verify()).status, 200);
    assert.equal(((await verify()).body as { ok: boolean }).ok, true);

    const tamper = async (title: string) => {
      await admin.query('BEGIN');
      await admin.query("SET LOCAL session_replication_role = 'replica'"); // a superuser can bypass triggers
      await admin.query(`UPDATE audit.audit_events SET after = jsonb_set(after, '{title}', to_jsonb($2::text)) WHERE event_id = $1`, [record.eventId, title]);
      await admin.query('COMMIT');
    };
    await tamper('nothing to see here');
    try {
      const broken = (await verify()).body as { ok: boolean; firstBroken: { eventId: string } | null };
      assert.equal(broken.ok, false);
      assert.equal(broken.firstBroken?.eventId, record.eventId);
    } finally {
      await tamper('will be tampered with'); // restore, so later runs verify a clean trail
    }
    assert.equal(((await verify()).body as { ok: boolean }).ok, true);
  });

  test('when any endpoint gets bad input, then it answers 4xx problem+json and nothing changes', async () => {
    const task = await createTask('target of bad input');
    const before = await taskCount();
    const cases: [string, RequestInit & { token?: string; extra?: Record<string, string> }][] = [
      [tasksUrl('/tasks'), { method: 'POST', body: JSON.stringify({ title: 'x', colour: 'red' }) }],
      [tasksUrl('/tasks'), { method: 'POST', body: JSON.stringify({ title: 'x'.repeat(201) }) }],
      [tasksUrl('/tasks'), { method: 'POST', body: JSON.stringify({ title: 42 }) }],
      [tasksUrl('/tasks'), { method: 'POST', body: JSON.stringify({ title: 'x', dueAt: 'tomorrow' }) }],
      [tasksUrl('/tasks'), { method: 'POST', body: JSON.stringify({ title: 'x', recurrence: 'RRULE:FREQ=SOMETIMES' }) }],
      [tasksUrl('/tasks?limit=abc'), {}],
      [tasksUrl('/tasks?cursor=not-a-cursor'), {}],
      [tasksUrl('/tasks/not-a-uuid'), {}],
      [tasksUrl(`/tasks/${task.id}`), { method: 'PATCH', body: JSON.stringify({ status: 'sideways' }), extra: { 'if-match': '"1"' } }],
      [tasksUrl(`/tasks/${task.id}`), { method: 'PATCH', body: JSON.stringify({ title: 'no version' }) }],
      [auditUrl('/audit?from=yesterday'), { token: officer }],
      [auditUrl('/audit?limit=5000'), { token: officer }],
      [auditUrl('/audit?cursor=garbage'), { token: officer }],
      [auditUrl('/audit/export?format=xml'), { token: officer }],
      [auditUrl('/audit/verify?from=2026-13-45'), { token: officer }],
    ];
    for (const [url, init] of cases) {
      const res = await fetch(url, { ...init, headers: headers(init.token ?? personToken, init.extra) });
      assert.ok(res.status >= 400 && res.status < 500, `${init.method ?? 'GET'} ${url}: ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/, url);
    }
    assert.equal(await taskCount(), before);
    const unchanged = await call(tasksUrl(`/tasks/${task.id}`));
    assert.equal((unchanged.body as Task).version, 1);
  });
});
