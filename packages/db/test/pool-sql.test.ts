import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OUTBOX_SQL, TransactionTimeoutError, appendToOutbox, disconnect, rawSql, type TransactionalSqlClient } from '../src/index.ts';
import { admin } from './support/database.ts';
import { openAppDatabase, type AppDatabase } from './support/app-database.ts';

describe('rawSql: tagged-template SQL straight on the pool of a Prisma client', () => {
  let db: AppDatabase;
  let sql: TransactionalSqlClient;
  const count = async () => Number((await admin((c) => c.query<{ n: string }>('SELECT count(*) AS n FROM outbox'), db.schema)).rows[0]?.n);

  before(async () => {
    db = await openAppDatabase('pool_sql');
    await admin((client) => client.query(OUTBOX_SQL), db.schema);
    sql = rawSql(db.prisma);
  });
  after(async () => {
    await db.close();
  });

  it('when a client comes from createPrismaClient, then its raw SQL is its own pool, on the app schema', async () => {
    assert.notEqual(sql, db.prisma);
    const [row] = await sql.$queryRaw<Array<{ schema: string }>>`SELECT current_schema() AS schema`;
    assert.equal(row?.schema, db.schema);
    const other: TransactionalSqlClient = {
      $queryRaw: async <T>() => [] as T,
      $executeRaw: async () => 0,
      $transaction: async <R>(fn: (tx: TransactionalSqlClient) => Promise<R>) => fn(other),
    };
    assert.equal(rawSql(other), other, 'any other client answers for itself');
  });

  it('when values are interpolated, then they travel as typed parameters, never as SQL text', async () => {
    const hostile = "x'); DROP TABLE outbox; --";
    const when = new Date('2027-03-28T01:30:00.000Z');
    const [row] = await sql.$queryRaw<Array<{ text: string; tags: string[]; at: Date; n: number; nothing: null; doc: { a: number } }>>`
      SELECT ${hostile}::text AS text, ${['a', 'b,c', '"q"']}::text[] AS tags, ${when}::timestamptz AS at,
             ${41}::int + 1 AS n, ${null}::text AS nothing, ${JSON.stringify({ a: 1 })}::jsonb AS doc`;
    assert.deepEqual(row, { text: hostile, tags: ['a', 'b,c', '"q"'], at: when, n: 42, nothing: null, doc: { a: 1 } });
    assert.equal(await count(), 0);
  });

  it('when a transaction succeeds, then its writes commit together; when it throws, then none of them stay', async () => {
    const kept = randomUUID();
    await sql.$transaction(async (tx) => {
      await appendToOutbox(tx, { id: kept, topic: 't', type: 'x.kept', payload: {} });
    });
    await assert.rejects(
      sql.$transaction(async (tx) => {
        await appendToOutbox(tx, { id: randomUUID(), topic: 't', type: 'x.lost', payload: {} });
        throw new Error('boom');
      }),
      /boom/,
    );
    const types = (await admin((c) => c.query<{ type: string }>('SELECT type FROM outbox'), db.schema)).rows.map((r) => r.type);
    assert.deepEqual(types, ['x.kept']);
    assert.equal(await sql.$executeRaw`DELETE FROM outbox WHERE id = ${kept}::uuid`, 1);
  });

  it('when a transaction outlives its timeout, then it is rolled back and the pool keeps working', async () => {
    await assert.rejects(
      sql.$transaction(
        async (tx) => {
          await appendToOutbox(tx, { id: randomUUID(), topic: 't', type: 'x.slow', payload: {} });
          await tx.$queryRaw`SELECT pg_sleep(0.5)`;
        },
        { timeout: 100 },
      ),
      TransactionTimeoutError,
    );
    assert.equal(await count(), 0);
    const [row] = await sql.$queryRaw<Array<{ one: number }>>`SELECT 1 AS one`;
    assert.equal(row?.one, 1);
  });

  it('when the client is disconnected, then the pool behind its raw SQL is closed too', async () => {
    const second = await openAppDatabase('pool_sql_close');
    const secondSql = rawSql(second.prisma);
    await secondSql.$queryRaw`SELECT 1`;
    await disconnect(second.prisma);
    await assert.rejects(Promise.resolve(secondSql.$queryRaw`SELECT 1`));
    await second.close();
  });
});
