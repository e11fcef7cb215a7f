import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { call, expectProblem } from '@lifeline/kit/testing';
import { someone } from './support/api.ts';
import { admin, adminUrlOf, createTestSchema, dropSchema } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

/** The only 5xx a raise may answer: the pool is saturated, try again shortly, nothing was recorded. */
async function expectOverloaded(res: Response): Promise<void> {
  await expectProblem(res, 503, 'overloaded');
  assert.equal(res.headers.get('retry-after'), '1');
}

describe('raise under a saturated pool', () => {
  let schema: string;
  let app: RunningEmergencyApp;

  before(async () => {
    schema = await createTestSchema('overload');
    // Two connections, and a short wait for one: the test saturates the pool without minutes of waiting.
    app = await startEmergencyApp({ schema, env: { DB_POOL_MAX: '2', DB_CONNECTION_WAIT_MS: '300' } });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  const emergenciesOf = async (people: readonly string[]) =>
    admin(async (client) => {
      const { rows } = await client.query<{ person: string; n: number; timeline: number }>(
        `SELECT e.person_id AS person, count(DISTINCT e.id)::int AS n, count(t.seq)::int AS timeline
         FROM "${schema}".emergencies e LEFT JOIN "${schema}".timeline t ON t.emergency_id = e.id
         WHERE e.person_id = ANY($1) GROUP BY e.person_id`,
        [people],
      );
      return new Map(rows.map((r) => [r.person, r]));
    });

  async function raiseFor(person: string): Promise<Response> {
    return call(app.url, '/emergencies', await as.user(person), { method: 'POST', body: { type: 'sos', message: 'help' } });
  }

  it('when every connection is held longer than the wait, then the raises behind them answer 503 with Retry-After, record nothing, and succeed when repeated', async () => {
    // Another session holds the emergencies table: the first raises take both connections and wait on it.
    const blocker = new pg.Client({ connectionString: adminUrlOf() });
    await blocker.connect();
    const people = Array.from({ length: 12 }, () => someone('crowd'));
    let answers: Response[];
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE "${schema}".emergencies IN EXCLUSIVE MODE`);
      const pending = Promise.all(people.map((p) => raiseFor(p)));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await blocker.query('COMMIT');
      answers = await pending;
    } finally {
      await blocker.end();
    }

    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 201 || s === 503), `only 201 and 503 expected: ${statuses.join(',')}`);
    assert.ok(statuses.includes(503), `the saturated pool must refuse some raises: ${statuses.join(',')}`);
    assert.ok(statuses.includes(201), `the raises that held the connections must commit once the table is free: ${statuses.join(',')}`);
    const stored = await emergenciesOf(people);
    for (const [i, res] of answers.entries()) {
      const person = people[i]!;
      if (res.status === 503) {
        await expectOverloaded(res);
        assert.equal(stored.get(person), undefined, `a refused raise of ${person} recorded an emergency`);
      } else {
        await res.text();
        assert.equal(stored.get(person)?.n, 1);
      }
    }

    // Retry-After: asked again, the refused raise goes through.
    const refused = people.filter((_, i) => answers[i]!.status === 503);
    for (const person of refused) assert.equal((await raiseFor(person)).status, 201);
    const after = await emergenciesOf(refused);
    assert.ok(refused.every((p) => after.get(p)?.n === 1));
  });

  it('when 150 raises arrive at once on two connections, then each answers 201 or the documented 503, never a 500', async () => {
    const people = Array.from({ length: 150 }, () => someone('rush'));
    const answers = await Promise.all(people.map((p) => raiseFor(p)));
    const stored = await emergenciesOf(people);
    let created = 0;
    for (const [i, res] of answers.entries()) {
      if (res.status === 503) {
        await expectOverloaded(res);
        assert.equal(stored.get(people[i]!), undefined);
        continue;
      }
      const body = await res.text();
      assert.equal(res.status, 201, body);
      assert.equal(stored.get(people[i]!)?.n, 1);
      created++;
    }
    assert.ok(created > 0, 'some raises must get through');
  });
});
