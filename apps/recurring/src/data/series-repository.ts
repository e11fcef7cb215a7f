import { Prisma } from '../generated/prisma/client.ts';
import { seriesEndReasonSchema, taskPrioritySchema, type SeriesState } from '@lifeline/contracts';
import type { Series } from '../generated/prisma/client.ts';
import type { Db, Tx } from './db.ts';

/** The columns raw queries select, named like the Prisma model so rows map the same way. */
const SERIES_COLUMNS = Prisma.sql`
  id::text AS id, owner_id AS "ownerId", source_task_id::text AS "sourceTaskId", source_task_version AS "sourceTaskVersion", title, notes, priority, tags,
  recurrence, timezone, starts_at AS "startsAt", remind_before_minutes AS "remindBeforeMinutes", status,
  end_reason AS "endReason", ended_at AS "endedAt", revision, generated_until AS "generatedUntil",
  refilled_at AS "refilledAt", version, created_at AS "createdAt", updated_at AS "updatedAt", created_by AS "createdBy"`;

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

function date(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

export function toSeriesState(row: Series): SeriesState {
  return {
    id: row.id,
    ownerId: row.ownerId,
    sourceTaskId: row.sourceTaskId,
    title: row.title,
    notes: row.notes,
    // The table's CHECK constraints hold the same sets; parsing keeps a drifted row from leaving as a valid series.
    priority: taskPrioritySchema.parse(row.priority),
    tags: row.tags,
    recurrence: row.recurrence,
    timezone: row.timezone,
    startsAt: row.startsAt.toISOString(),
    remindBeforeMinutes: row.remindBeforeMinutes,
    status: row.status === 'ended' ? 'ended' : 'active',
    endReason: row.endReason === null ? null : seriesEndReasonSchema.parse(row.endReason),
    endedAt: iso(row.endedAt),
    revision: row.revision,
    generatedUntil: row.generatedUntil.toISOString(),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
  };
}

/** The columns a write may change; id, owner, source and creation facts never change after insert. */
function mutableColumns(series: SeriesState) {
  return {
    title: series.title,
    notes: series.notes,
    priority: series.priority,
    tags: series.tags,
    recurrence: series.recurrence,
    timezone: series.timezone,
    startsAt: new Date(series.startsAt),
    remindBeforeMinutes: series.remindBeforeMinutes,
    status: series.status,
    endReason: series.endReason,
    endedAt: date(series.endedAt),
    revision: series.revision,
    generatedUntil: new Date(series.generatedUntil),
    version: series.version,
    updatedAt: new Date(series.updatedAt),
  };
}

/**
 * False when a series for the same source task already exists (a raced or replayed task event).
 * `sourceTaskVersion` is the version of the source task the series was made from.
 */
export async function insertSeries(db: Db, series: SeriesState, sourceTaskVersion?: number): Promise<boolean> {
  const { count } = await db.series.createMany({
    data: [
      {
        ...mutableColumns(series),
        id: series.id,
        ownerId: series.ownerId,
        sourceTaskId: series.sourceTaskId,
        sourceTaskVersion: sourceTaskVersion ?? null,
        createdBy: series.createdBy,
        createdAt: new Date(series.createdAt),
      },
    ],
    skipDuplicates: true,
  });
  return count === 1;
}

/**
 * Records that the series follows the source task at `version`; false when it already followed that version
 * or a later one, i.e. the task event is a late or repeated one and must change nothing.
 */
export async function followSourceVersion(tx: Tx, id: string, version: number): Promise<boolean> {
  const updated = await tx.$executeRaw`
    UPDATE series SET source_task_version = ${version}
    WHERE id = ${id}::uuid AND (source_task_version IS NULL OR source_task_version < ${version})`;
  return updated === 1;
}

export async function findSeries(db: Db, id: string): Promise<SeriesState | undefined> {
  const row = await db.series.findUnique({ where: { id } });
  return row === null ? undefined : toSeriesState(row);
}

/** The series made from this task, locked for the rest of the transaction. */
export async function lockSeriesBySourceTask(tx: Tx, taskId: string): Promise<SeriesState | undefined> {
  const [row] = await tx.$queryRaw<Series[]>`SELECT ${SERIES_COLUMNS} FROM series WHERE source_task_id = ${taskId}::uuid FOR UPDATE`;
  return row === undefined ? undefined : toSeriesState(row);
}

/** Reads the series and holds its row lock until the transaction ends: template changes are serialized. */
export async function lockSeries(tx: Tx, id: string): Promise<SeriesState | undefined> {
  const [row] = await tx.$queryRaw<Series[]>`SELECT ${SERIES_COLUMNS} FROM series WHERE id = ${id}::uuid FOR UPDATE`;
  return row === undefined ? undefined : toSeriesState(row);
}

/**
 * A shared lock: generation claims instance rows under it, so a concurrent PATCH (which takes the row lock)
 * either sees those rows and replaces them, or commits first and generation finds the new revision.
 */
export async function shareLockSeries(tx: Tx, id: string): Promise<SeriesState | undefined> {
  const [row] = await tx.$queryRaw<Series[]>`SELECT ${SERIES_COLUMNS} FROM series WHERE id = ${id}::uuid FOR SHARE`;
  return row === undefined ? undefined : toSeriesState(row);
}

/** Writes the new state of a locked series; the version guard is a second line behind the lock. */
export async function saveSeries(db: Db, series: SeriesState, previousVersion: number): Promise<boolean> {
  const { count } = await db.series.updateMany({ where: { id: series.id, version: previousVersion }, data: mutableColumns(series) });
  return count === 1;
}

/**
 * Moves the generation cursor forward (never back: a slower concurrent run must not undo a faster one),
 * only while the series is still active at the revision the run generated for.
 */
export async function advanceCursor(db: Db, id: string, revision: number, until: Date): Promise<void> {
  await db.$executeRaw`
    UPDATE series SET generated_until = GREATEST(generated_until, ${until}::timestamptz)
    WHERE id = ${id}::uuid AND revision = ${revision} AND status = 'active'`;
}

export interface SeriesListFilter {
  ownerId: string;
  status?: SeriesState['status'] | undefined;
  limit: number;
  /** Keyset: series created after this one (createdAt, id). */
  after?: { createdAt: Date; id: string } | undefined;
}

export async function listSeries(db: Db, filter: SeriesListFilter): Promise<SeriesState[]> {
  const rows = await db.series.findMany({
    where: {
      ownerId: filter.ownerId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.after
        ? { OR: [{ createdAt: { gt: filter.after.createdAt } }, { createdAt: filter.after.createdAt, id: { gt: filter.after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: filter.limit,
  });
  return rows.map(toSeriesState);
}
