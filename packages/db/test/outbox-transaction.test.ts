import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OUTBOX_SQL, inOutboxTransaction, type OutboxEntry } from '../src/index.ts';
import { admin } from './support/database.ts';
import { openAppDatabase, type AppDatabase } from './support/app-database.ts';

function entry(type = 'note.created'): OutboxEntry {
  const id = randomUUID();
  return { id, topic: 'note-events', type, payload: { id, type } };
}

describe('inOutboxTransaction', () => {
  let db: AppDatabase;
  let wakes = 0;
  const deps = () => ({ prisma: db.prisma, outboxWritten: () => void wakes++ });
  const outboxIds = async () =>
    admin(async (client) => (await client.query<{ id: string }>('SELECT id::text AS id FROM outbox ORDER BY seq')).rows.map((r) => r.id), db.schema);

  before(async () => {
    db = await openAppDatabase('outbox_tx');
    // Every publishing app copies OUTBOX_SQL into a migration; the fixture schema gets it here.
    await admin((client) => client.query(OUTBOX_SQL), db.schema);
  });
  after(async () => {
    await db.close();
  });

  it('when the work changes a row and emits events, then both commit together, in order, and the relay is woken once after the commit', async () => {
    const [first, second] = [entry(), entry('note.done')];
    const before = wakes;
    const noteId = randomUUID();
    const result = await inOutboxTransaction(deps(), async (tx, emit) => {
      await tx.note.create({ data: { id: noteId, title: 'with events' } });
      emit(first);
      emit(second);
      // Not yet: the relay must never be woken for rows that are still uncommitted.
      assert.equal(wakes, before);
      return 'done';
    });
    assert.equal(result, 'done');
    assert.equal(wakes, before + 1);
    assert.equal(await db.prisma.note.count({ where: { id: noteId } }), 1);
    assert.deepEqual((await outboxIds()).slice(-2), [first.id, second.id]);
  });

  it('when the work throws after emitting, then neither the change nor its events are stored and the relay is not woken', async () => {
    const before = { wakes, outbox: (await outboxIds()).length };
    const noteId = randomUUID();
    await assert.rejects(
      inOutboxTransaction(deps(), async (tx, emit) => {
        await tx.note.create({ data: { id: noteId, title: 'rolled back' } });
        emit(entry());
        throw new Error('412 version-conflict');
      }),
      /412 version-conflict/,
    );
    assert.equal(wakes, before.wakes);
    assert.equal((await outboxIds()).length, before.outbox);
    assert.equal(await db.prisma.note.count({ where: { id: noteId } }), 0);
  });

  it('when an event cannot be written (a duplicate id), then the change rolls back with it', async () => {
    const dup = entry();
    await inOutboxTransaction(deps(), async (_tx, emit) => emit(dup));
    const noteId = randomUUID();
    await assert.rejects(
      inOutboxTransaction(deps(), async (tx, emit) => {
        await tx.note.create({ data: { id: noteId, title: 'duplicate event' } });
        emit(dup);
      }),
    );
    assert.equal(await db.prisma.note.count({ where: { id: noteId } }), 0);
  });

  it('when the work emits nothing, then its change commits and the relay is left alone', async () => {
    const before = wakes;
    const noteId = randomUUID();
    await inOutboxTransaction(deps(), async (tx) => {
      await tx.note.create({ data: { id: noteId, title: 'quiet' } });
    });
    assert.equal(wakes, before);
    assert.equal(await db.prisma.note.count({ where: { id: noteId } }), 1);
  });

  it('when the work outlives the transaction timeout, then it is rolled back rather than holding its locks', async () => {
    const noteId = randomUUID();
    await assert.rejects(
      inOutboxTransaction(
        deps(),
        async (tx, emit) => {
          await tx.note.create({ data: { id: noteId, title: 'too slow' } });
          await new Promise((resolve) => setTimeout(resolve, 400));
          emit(entry());
        },
        { timeoutMs: 100 },
      ),
    );
    assert.equal(await db.prisma.note.count({ where: { id: noteId } }), 0);
  });
});
