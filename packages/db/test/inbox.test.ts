import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROCESSED_EVENTS_SQL, runOnce } from '../src/index.ts';
import { fixtureMigrations } from './support/database.ts';
import { openAppDatabase, type AppDatabase } from './support/app-database.ts';

describe('inbox runOnce', () => {
  let db: AppDatabase;

  before(async () => {
    db = await openAppDatabase('inbox');
  });
  after(async () => {
    await db.close();
  });

  /** A handler whose effect is a note, made idempotent by the inbox. */
  async function handle(eventId: string, title: string, consumer = 'test:notes'): Promise<boolean> {
    return db.prisma.$transaction(async (tx) => {
      if (!(await runOnce(tx, { eventId, consumer }))) return false;
      await tx.note.create({ data: { id: randomUUID(), title } });
      return true;
    });
  }

  it('when an event is seen the first time, then runOnce reports true and the mark is stored', async () => {
    const eventId = randomUUID();
    assert.equal(await handle(eventId, `first ${eventId}`), true);
    const marks = await db.prisma.processedEvent.findMany({ where: { eventId } });
    assert.deepEqual(marks.map((mark) => mark.consumer), ['test:notes']);
  });

  it('when the same event is delivered again, then runOnce reports false and the effect happens once', async () => {
    const eventId = randomUUID();
    assert.equal(await handle(eventId, `dup ${eventId}`), true);
    assert.equal(await handle(eventId, `dup ${eventId}`), false);
    assert.equal(await db.prisma.note.count({ where: { title: `dup ${eventId}` } }), 1);
  });

  it('when another consumer handles the same event, then it gets its own first time', async () => {
    const eventId = randomUUID();
    assert.equal(await handle(eventId, `a ${eventId}`, 'consumer-a'), true);
    assert.equal(await handle(eventId, `b ${eventId}`, 'consumer-b'), true);
  });

  it('when the handler fails after marking, then the rollback leaves no mark and a retry runs the effect', async () => {
    const eventId = randomUUID();
    await assert.rejects(
      db.prisma.$transaction(async (tx) => {
        assert.equal(await runOnce(tx, { eventId, consumer: 'test:notes' }), true);
        await tx.note.create({ data: { id: randomUUID(), title: `retry ${eventId}` } });
        throw new Error('downstream failure');
      }),
      /downstream failure/,
    );
    assert.equal(await db.prisma.processedEvent.count({ where: { eventId } }), 0);
    assert.equal(await db.prisma.note.count({ where: { title: `retry ${eventId}` } }), 0);

    assert.equal(await handle(eventId, `retry ${eventId}`), true);
    assert.equal(await db.prisma.note.count({ where: { title: `retry ${eventId}` } }), 1);
  });

  it('when two deliveries of one event race, then exactly one applies the effect', async () => {
    const eventId = randomUUID();
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => handle(eventId, `race ${eventId}`)));
    assert.deepEqual(outcomes.filter(Boolean).length, 1);
    assert.equal(await db.prisma.note.count({ where: { title: `race ${eventId}` } }), 1);
  });

  it('when the fixture migration is compared with PROCESSED_EVENTS_SQL, then it holds the constant verbatim', async () => {
    const file = await readFile(join(fixtureMigrations, '20250103000000_processed_events', 'migration.sql'), 'utf8');
    assert.ok(file.endsWith(PROCESSED_EVENTS_SQL));
  });
});
