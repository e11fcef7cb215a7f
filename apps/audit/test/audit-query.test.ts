import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deliver, fakeSidecar, getJson, startAudit, type RunningAudit } from './support/audit-app.ts';
import { createAuditSchema, type AuditSchema } from './support/database.ts';
import { cloudEvent, taskCreated, taskState } from './support/events.ts';

interface Page {
  items: Array<Record<string, unknown>>;
  nextCursor: string | null;
}

describe('querying the audit trail', () => {
  let db: AuditSchema;
  let audit: RunningAudit;
  let sidecar: Awaited<ReturnType<typeof fakeSidecar>>;
  const task = taskState();
  // Delivered out of order on purpose: the trail is ordered by when things happened, not when they arrived.
  const times = ['2026-05-01T10:00:02.000Z', '2026-05-01T10:00:00.000Z', '2026-05-01T10:00:01.000Z'];

  before(async () => {
    db = await createAuditSchema('query');
    sidecar = await fakeSidecar();
    audit = await startAudit({ DB_SCHEMA: db.schema, DAPR_HTTP_PORT: String(sidecar.port) });
    for (const time of times) {
      const res = await deliver(audit.url, 'task-events', cloudEvent('task-events', taskCreated({ task, time })));
      assert.deepEqual(await res.json(), { status: 'SUCCESS' });
    }
    // Another entity's history must not leak into this one's.
    await deliver(audit.url, 'task-events', cloudEvent('task-events', taskCreated()));
  });
  after(async () => {
    await audit?.close();
    await sidecar?.close();
    await db?.drop();
  });

  it('when no token is sent, then GET /audit answers 401', async () => {
    const res = await getJson(audit.url, '/audit', null);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal((await getJson(audit.url, '/audit/dead-letters', null)).status, 401);
  });

  it('when the caller is a plain user or a caregiver, then GET /audit answers 403', async () => {
    for (const roles of [['user'], ['caregiver']] as const) {
      const res = await getJson(audit.url, `/audit?entity_type=task&entity_id=${task.id}`, [...roles]);
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { type: string }).type, 'https://lifeline.dev/problems/forbidden');
    }
    assert.equal((await getJson(audit.url, '/audit/dead-letters', ['user'])).status, 403);
  });

  it('when the parameters are bad, then the answer is 400 problem+json naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/audit?limit=0', 'limit'],
      ['/audit?limit=1001', 'limit'],
      ['/audit?limit=ten', 'limit'],
      ['/audit?entity_type=Task!', 'entity_type'],
      ['/audit?entityType=task', ''],
      ['/audit?cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['/audit?entity_id=a&entity_id=b', 'entity_id'],
      ['/audit/dead-letters?limit=-1', 'limit'],
      ['/audit/dead-letters?topic=%20bad', 'topic'],
    ];
    for (const [path, param] of cases) {
      const res = await getJson(audit.url, path, ['compliance']);
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, path);
      const body = (await res.json()) as { type: string; errors: Array<{ path: string }> };
      assert.equal(body.type, 'https://lifeline.dev/problems/validation-error', path);
      assert.ok(body.errors.some((e) => e.path === param), `${path} names ${param || 'the unknown key'}`);
    }
  });

  it('when the history spans pages, then items come oldest first and the cursor walks them without gaps', async () => {
    const base = `/audit?entity_type=task&entity_id=${task.id}&limit=2`;
    const first = (await (await getJson(audit.url, base, ['compliance'])).json()) as Page;
    assert.deepEqual(first.items.map((i) => i['occurredAt']), ['2026-05-01T10:00:00.000Z', '2026-05-01T10:00:01.000Z']);
    assert.ok(first.nextCursor);

    const second = (await (await getJson(audit.url, `${base}&cursor=${first.nextCursor}`, ['admin'])).json()) as Page;
    assert.deepEqual(second.items.map((i) => i['occurredAt']), ['2026-05-01T10:00:02.000Z']);
    assert.equal(second.nextCursor, null);
  });

  it('when no filter is given, then the whole trail is listed', async () => {
    const page = (await (await getJson(audit.url, '/audit', ['compliance'])).json()) as Page;
    assert.equal(page.items.length, 4);
  });

  it('when the sidecar and the database answer, then /health/ready is 200', async () => {
    const res = await fetch(`${audit.url}/health/ready`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean }> };
    assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['sidecar', true], ['database', true]]);
  });
});

describe('readiness without a sidecar', () => {
  let db: AuditSchema;
  let audit: RunningAudit;
  before(async () => {
    db = await createAuditSchema('ready');
    audit = await startAudit({ DB_SCHEMA: db.schema, DAPR_HTTP_PORT: '1' });
  });
  after(async () => {
    await audit?.close();
    await db?.drop();
  });

  it('when the sidecar is unreachable, then /health/ready is 503 naming it and /health/live stays 200', async () => {
    const res = await fetch(`${audit.url}/health/ready`);
    assert.equal(res.status, 503);
    const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean }> };
    assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['sidecar', false], ['database', true]]);
    assert.equal((await fetch(`${audit.url}/health/live`)).status, 200);
  });
});
