import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { taskStateSchema, type TaskState } from '@lifeline/contracts';
import { call, expectProblem } from '@lifeline/kit/testing';
import { TASK_SORTS } from '../src/http/task-input.ts';
import { as, createTaskAs, expectTask } from './support/api.ts';
import { admin, createTestSchema, dropSchema } from './support/database.ts';
import { closedPort } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

const pageSchema = z.strictObject({ items: z.array(taskStateSchema), nextCursor: z.string().nullable() });
type Page = z.infer<typeof pageSchema>;

const PRIORITY_RANK = { low: 0, normal: 1, high: 2, urgent: 3 } as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

describe('GET /tasks', () => {
  let schema: string;
  let app: RunningTasksApp;
  let lena: string;
  /** Lena's tasks as created, for computing what every query should answer. */
  const lenasTasks: TaskState[] = [];

  before(async () => {
    schema = await createTestSchema('list');
    app = await startTasksApp({ schema, daprPort: await closedPort() });
    lena = await as.user('lena');
    const titles = ['Take pills', 'Buy pillows', 'Call 50% off shop', 'snake_case review', 'Walk the dog', 'Water plants', 'PILLAR maintenance'];
    for (let i = 0; i < 37; i++) {
      // Repeated due dates and priorities, and some without a due date, so ties and the null tail are exercised.
      const dueAt = i % 5 === 4 ? null : new Date(Date.UTC(2030, 0, 1 + (i % 7), 8)).toISOString();
      const task = await createTaskAs(app.url, lena, {
        title: `${titles[i % titles.length]} ${i}`,
        priority: PRIORITIES[i % 4],
        tags: i % 3 === 0 ? ['meds', 'daily'] : i % 3 === 1 ? ['home'] : [],
        dueAt,
      });
      lenasTasks.push(task);
    }
    for (const task of lenasTasks.filter((_, i) => i % 6 === 0)) {
      const done = await expectTask(await call(app.url, `/tasks/${task.id}/complete`, lena, { method: 'POST' }));
      lenasTasks[lenasTasks.findIndex((t) => t.id === task.id)] = done;
    }
    // Someone else's tasks must never show up in Lena's lists.
    await createTaskAs(app.url, await as.user('otto'), { title: 'Take pills (otto)', tags: ['meds'] });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  async function list(query: string, authorization = lena): Promise<Page> {
    const res = await call(app.url, `/tasks${query ? `?${query}` : ''}`, authorization);
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return pageSchema.parse(JSON.parse(text));
  }

  /** Follows nextCursor to the end; `between` runs after each page (to insert tasks while paging). */
  async function pageThrough(query: string, between?: (pageNo: number) => Promise<void>): Promise<TaskState[]> {
    const all: TaskState[] = [];
    let cursor: string | null = null;
    for (let pageNo = 0; pageNo < 100; pageNo++) {
      const page = await list(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...page.items);
      if (page.nextCursor === null) return all;
      cursor = page.nextCursor;
      await between?.(pageNo);
    }
    assert.fail('paging did not end');
  }

  const ids = (tasks: TaskState[]) => tasks.map((t) => t.id);
  const byId = (a: TaskState, b: TaskState) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const byDueAt = (descending: boolean) => (a: TaskState, b: TaskState) => {
    if (a.dueAt === b.dueAt) return descending ? -byId(a, b) : byId(a, b);
    if (a.dueAt === null) return 1;
    if (b.dueAt === null) return -1;
    return (a.dueAt < b.dueAt ? -1 : 1) * (descending ? -1 : 1);
  };

  it('when no filter is given, then the caller\'s own tasks come back sorted by dueAt, missing due dates last, 50 per page', async () => {
    const page = await list('');
    assert.equal(page.items.length, 37);
    assert.equal(page.nextCursor, null);
    assert.deepEqual(ids(page.items), ids([...lenasTasks].sort(byDueAt(false))));
    assert.ok(page.items.every((t) => t.ownerId === 'lena'));
  });

  it('when sorted by -dueAt, createdAt, -createdAt, priority or -priority, then the order is exactly that, ties broken by id', async () => {
    assert.deepEqual(ids((await list('sort=-dueAt&limit=200')).items), ids([...lenasTasks].sort(byDueAt(true))));
    const created = (await list('sort=createdAt&limit=200')).items;
    assert.deepEqual(ids(created), ids([...lenasTasks].sort((a, b) => (a.createdAt === b.createdAt ? byId(a, b) : a.createdAt < b.createdAt ? -1 : 1))));
    const newest = (await list('sort=-createdAt&limit=200')).items;
    assert.deepEqual(ids(newest), ids([...created].reverse()));
    const priority = (await list('sort=priority&limit=200')).items;
    assert.deepEqual(ids(priority), ids([...lenasTasks].sort((a, b) => PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || byId(a, b))));
    const urgentFirst = (await list('sort=-priority&limit=200')).items;
    assert.deepEqual(ids(urgentFirst), ids([...priority].reverse()));
  });

  for (const sort of TASK_SORTS) {
    it(`when paging by ${sort} five at a time, then every task appears exactly once in the one-page order`, async () => {
      const whole = (await list(`sort=${sort}&limit=200`)).items;
      const paged = await pageThrough(`sort=${sort}&limit=5`);
      assert.equal(paged.length, 37);
      assert.equal(new Set(ids(paged)).size, 37);
      assert.deepEqual(ids(paged), ids(whole));
    });
  }

  it('when tasks are inserted while paging by dueAt, then no task already there is repeated or skipped', async () => {
    const before = new Set(ids(lenasTasks));
    const inserted: TaskState[] = [];
    const paged = await pageThrough('sort=dueAt&limit=4', async (pageNo) => {
      if (pageNo > 2) return;
      // One lands before the cursor (earliest due date), one after it, one in the null tail.
      for (const dueAt of ['2029-01-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z', null]) {
        inserted.push(await createTaskAs(app.url, lena, { title: `inserted ${pageNo}`, dueAt }));
      }
    });
    const seenOriginals = paged.filter((t) => before.has(t.id));
    assert.equal(seenOriginals.length, before.size, 'every original task exactly once');
    assert.equal(new Set(ids(paged)).size, paged.length, 'no duplicates');
    // Tasks inserted behind the cursor are not shown on later pages; those ahead of it are.
    const shown = new Set(ids(paged));
    assert.ok(inserted.filter((t) => t.dueAt === '2031-01-01T00:00:00.000Z').every((t) => shown.has(t.id)));
    assert.ok(inserted.filter((t) => t.dueAt === '2029-01-01T00:00:00.000Z').every((t) => !shown.has(t.id)));
    for (const task of inserted) assert.equal((await call(app.url, `/tasks/${task.id}`, lena, { method: 'DELETE' })).status, 204);
  });

  it('when tasks are inserted while paging newest first, then the pages stay stable', async () => {
    const before = new Set(ids(lenasTasks));
    const inserted: string[] = [];
    const paged = await pageThrough('sort=-createdAt&limit=6', async () => {
      inserted.push((await createTaskAs(app.url, lena, { title: 'newer' })).id);
    });
    assert.deepEqual(ids(paged).filter((id) => before.has(id)).length, before.size);
    assert.ok(inserted.every((id) => !ids(paged).includes(id)), 'newer tasks sort before the cursor and are not shown mid-walk');
    for (const id of inserted) assert.equal((await call(app.url, `/tasks/${id}`, lena, { method: 'DELETE' })).status, 204);
  });

  it('when filtered by status, then only those statuses come back; a comma list combines them', async () => {
    const done = (await list('status=done&limit=200')).items;
    assert.deepEqual(ids(done).sort(), ids(lenasTasks.filter((t) => t.status === 'done')).sort());
    assert.equal((await list('status=open,done&limit=200')).items.length, 37);
    assert.equal((await list('status=cancelled')).items.length, 0);
  });

  it('when filtered by tag, then only tasks carrying it come back', async () => {
    const meds = (await list('tag=meds&limit=200')).items;
    assert.deepEqual(ids(meds).sort(), ids(lenasTasks.filter((t) => t.tags.includes('meds'))).sort());
  });

  it('when filtered by dueFrom (inclusive) and dueTo (exclusive), then only tasks due in that range come back', async () => {
    const from = '2030-01-02T08:00:00.000Z';
    const to = '2030-01-04T08:00:00.000Z';
    const inRange = (await list(`dueFrom=${encodeURIComponent('2030-01-02T09:00:00+01:00')}&dueTo=${to}&limit=200`)).items;
    assert.deepEqual(ids(inRange).sort(), ids(lenasTasks.filter((t) => t.dueAt !== null && t.dueAt >= from && t.dueAt < to)).sort());
    assert.ok(inRange.length > 0);
  });

  it('when searching with q, then titles containing the text in any case match, and % _ are literal', async () => {
    const pills = (await list('q=PILL&limit=200')).items;
    assert.deepEqual(ids(pills).sort(), ids(lenasTasks.filter((t) => t.title.toLowerCase().includes('pill'))).sort());
    assert.ok(pills.some((t) => t.title.startsWith('PILLAR')) && pills.some((t) => t.title.startsWith('Buy pillows')));
    const percent = (await list(`q=${encodeURIComponent('50%')}&limit=200`)).items;
    assert.ok(percent.length > 0 && percent.every((t) => t.title.includes('50%')));
    const underscore = (await list('q=e_c&limit=200')).items;
    assert.ok(underscore.length > 0 && underscore.every((t) => t.title.includes('e_c')));
  });

  it('when filters are combined and paged, then the cursor keeps them', async () => {
    const whole = (await list('status=open&tag=meds&q=pill&sort=-priority&limit=200')).items;
    const paged = await pageThrough('status=open&tag=meds&q=pill&sort=-priority&limit=1');
    assert.deepEqual(ids(paged), ids(whole));
    assert.ok(whole.every((t) => t.status === 'open' && t.tags.includes('meds') && t.title.toLowerCase().includes('pill')));
  });

  it('when the title search runs, then the trigram index can serve it', async () => {
    const plan = await admin(async (client) => {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM "${schema}".tasks WHERE title ILIKE '%pill%'`);
      await client.query('ROLLBACK');
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /tasks_title_trgm_idx/);
  });

  describe('who may list whose tasks', () => {
    it('when a caregiver lists a person in their care claim, then 200 with that person\'s tasks', async () => {
      const page = await list('ownerId=lena&limit=200', await as.caregiver('carol', ['lena']));
      assert.equal(page.items.length, 37);
    });

    it('when an admin lists anyone, then 200', async () => {
      assert.equal((await list('ownerId=lena&limit=200', await as.admin())).items.length, 37);
    });

    it('when a caller lists without ownerId, then only their own tasks (none for a newcomer)', async () => {
      assert.deepEqual((await list('', await as.caregiver('carol', ['lena']))).items, []);
      assert.deepEqual(
        (await list('', await as.user('otto'))).items.map((t) => t.ownerId),
        ['otto'],
      );
    });

    const refused: Array<[string, () => Promise<string>, number]> = [
      ['a caregiver not caring for the person', () => as.caregiver('carol', ['someone-else']), 403],
      ['another user', () => as.user('mallory'), 403],
      ['a compliance officer', () => as.compliance(), 403],
    ];
    for (const [who, token, status] of refused) {
      it(`when ${who} lists lena's tasks, then ${status}`, async () => {
        await expectProblem(await call(app.url, '/tasks?ownerId=lena', await token()), status, 'forbidden');
      });
    }

    it('when no token is sent, then 401', async () => {
      await expectProblem(await call(app.url, '/tasks', undefined), 401, 'unauthorized');
    });
  });

  describe('bad query parameters', () => {
    const bad: Array<[string, string, string]> = [
      ['limit is 0', 'limit=0', 'limit'],
      ['limit is 201', 'limit=201', 'limit'],
      ['limit is not a number', 'limit=lots', 'limit'],
      ['limit is fractional', 'limit=2.5', 'limit'],
      ['the sort key is unknown', 'sort=colour', 'sort'],
      ['the status is unknown', 'status=finished', 'status'],
      ['dueFrom is not a date', 'dueFrom=yesterday', 'dueFrom'],
      ['dueTo has no offset', 'dueTo=2030-01-01T00:00:00', 'dueTo'],
      ['dueTo is before dueFrom', 'dueFrom=2030-02-01T00:00:00Z&dueTo=2030-01-01T00:00:00Z', 'dueTo'],
      ['q is 201 characters', `q=${'x'.repeat(201)}`, 'q'],
      ['q is blank', 'q=%20%20', 'q'],
      ['a parameter is unknown', 'owner=lena', ''],
      ['a parameter is repeated', 'status=open&status=done', 'status'],
      ['the cursor is garbage', 'cursor=not-a-cursor', 'cursor'],
      ['the cursor is base64 of something else', `cursor=${Buffer.from('{"v":null}').toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`, 'cursor'],
    ];
    for (const [when, query, path] of bad) {
      it(`when ${when}, then 400 validation-error`, async () => {
        const problem = await expectProblem(await call(app.url, `/tasks?${query}`, lena), 400, 'validation-error');
        if (path) assert.ok((problem.errors as Array<{ path: string }>).some((e) => e.path === path), JSON.stringify(problem.errors));
      });
    }

    it('when a cursor is tampered with, then 400', async () => {
      const { nextCursor } = await list('limit=2');
      assert.ok(nextCursor);
      const [data = '', mac = ''] = nextCursor.split('.');
      const payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = `${Buffer.from(JSON.stringify({ ...payload, i: '00000000-0000-4000-8000-000000000000' })).toString('base64url')}.${mac}`;
      await expectProblem(await call(app.url, `/tasks?limit=2&cursor=${forged}`, lena), 400, 'validation-error');
      const flipped = `${data.slice(0, -1)}${data.endsWith('A') ? 'B' : 'A'}.${mac}`;
      await expectProblem(await call(app.url, `/tasks?limit=2&cursor=${flipped}`, lena), 400, 'validation-error');
    });

    it('when a cursor is reused with other filters or another sort, then 400 instead of a wrong page', async () => {
      const { nextCursor } = await list('limit=2&q=pill');
      assert.ok(nextCursor);
      const problem = await expectProblem(await call(app.url, `/tasks?limit=2&q=walk&cursor=${nextCursor}`, lena), 400, 'validation-error');
      assert.match(JSON.stringify(problem.errors), /different query/);
      await expectProblem(await call(app.url, `/tasks?limit=2&q=pill&sort=-dueAt&cursor=${nextCursor}`, lena), 400, 'validation-error');
      // The same query with another page size is the same query.
      assert.equal((await call(app.url, `/tasks?limit=3&q=pill&cursor=${nextCursor}`, lena)).status, 200);
    });
  });
});
