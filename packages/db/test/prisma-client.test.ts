import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPgAdapter, databaseReady, disconnect } from '../src/index.ts';
import { admin, adminUrl } from './support/database.ts';
import { openAppDatabase, type AppDatabase } from './support/app-database.ts';

async function connectionsNamed(applicationName: string): Promise<number> {
  const { rows } = await admin((client) =>
    client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]),
  );
  return Number(rows[0]?.n);
}

describe('Prisma client through the pg adapter', () => {
  let db: AppDatabase;
  let other: AppDatabase;

  before(async () => {
    [db, other] = await Promise.all([openAppDatabase('prisma'), openAppDatabase('prisma_other')]);
  });
  after(async () => {
    await Promise.all([db.close(), other.close()]);
  });

  it('when a model is written and read, then the row lives in the app schema', async () => {
    const id = randomUUID();
    await db.prisma.note.create({ data: { id, title: 'Water the plants' } });
    const found = await db.prisma.note.findUnique({ where: { id } });
    assert.equal(found?.title, 'Water the plants');
    assert.equal(found?.done, false);

    const rows = await admin((client) => client.query(`SELECT title FROM "${db.schema}".notes WHERE id = $1`, [id]));
    assert.deepEqual(rows.rows, [{ title: 'Water the plants' }]);
  });

  it('when two apps use the same database, then each client sees only its own schema', async () => {
    await db.prisma.note.create({ data: { id: randomUUID(), title: 'mine' } });
    await other.prisma.note.create({ data: { id: randomUUID(), title: 'theirs' } });
    const mine = await db.prisma.note.findMany({ where: { title: { in: ['mine', 'theirs'] } } });
    const theirs = await other.prisma.note.findMany({ where: { title: { in: ['mine', 'theirs'] } } });
    assert.deepEqual(mine.map((note) => note.title), ['mine']);
    assert.deepEqual(theirs.map((note) => note.title), ['theirs']);
  });

  it('when raw SQL uses unqualified names, then they resolve to the app schema', async () => {
    const id = randomUUID();
    await db.prisma.$executeRaw`INSERT INTO notes (id, title) VALUES (${id}::uuid, ${'raw'})`;
    const [row] = await db.prisma.$queryRaw<{ search_path: string; title: string }[]>`
      SELECT current_setting('search_path') AS search_path, title FROM notes WHERE id = ${id}::uuid`;
    assert.equal(row?.search_path, db.schema);
    assert.equal(row?.title, 'raw');
  });

  it('when an interactive transaction throws, then its writes are rolled back', async () => {
    const id = randomUUID();
    await assert.rejects(
      db.prisma.$transaction(async (tx) => {
        await tx.note.create({ data: { id, title: 'doomed' } });
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(await db.prisma.note.findUnique({ where: { id } }), null);
  });

  it('when the database answers, then databaseReady is true', async () => {
    assert.equal(await databaseReady(db.prisma), true);
  });

  it('when the pool is bounded, then concurrent queries never open more connections than poolMax', async () => {
    const { PrismaClient } = await import('./generated/prisma/client.ts');
    const applicationName = `lifeline-pool-${randomUUID().slice(0, 8)}`;
    const client = new PrismaClient({
      adapter: createPgAdapter({ connectionString: adminUrl, schema: db.schema, poolMax: 2, applicationName }),
    });
    try {
      let inFlight = true;
      const load = Promise.all(
        Array.from({ length: 8 }, () => client.$queryRaw`SELECT pg_sleep(0.1)::text AS slept`),
      ).finally(() => {
        inFlight = false;
      });
      let most = 0;
      while (inFlight) {
        most = Math.max(most, await connectionsNamed(applicationName));
        await sleep(20);
      }
      await load;
      assert.ok(most >= 1 && most <= 2, `observed ${most} connections`);
    } finally {
      await disconnect(client);
    }
  });

  it('when the database is unreachable, then databaseReady is false instead of throwing', async () => {
    const { PrismaClient } = await import('./generated/prisma/client.ts');
    const unreachable = new PrismaClient({
      adapter: createPgAdapter({ connectionString: 'postgres://nobody:x@127.0.0.1:1/none', schema: 'nowhere', connectionTimeoutMs: 500 }),
    });
    try {
      assert.equal(await databaseReady(unreachable, 1_000), false);
    } finally {
      await disconnect(unreachable);
    }
  });

  it('when disconnect is called, then the pool it opened is closed', async () => {
    const { PrismaClient } = await import('./generated/prisma/client.ts');
    const applicationName = `lifeline-close-${randomUUID().slice(0, 8)}`;
    const client = new PrismaClient({ adapter: createPgAdapter({ connectionString: adminUrl, schema: db.schema, applicationName }) });
    await client.note.count();
    assert.ok((await connectionsNamed(applicationName)) >= 1);
    await disconnect(client);
    assert.equal(await connectionsNamed(applicationName), 0);
  });
});
