import type { Prisma } from '../generated/prisma/client.ts';
import type { Db, Tx } from './db.ts';

export type InstanceState = 'pending' | 'open' | 'done' | 'detached' | 'superseded' | 'cancelled' | 'released';
export type InstanceOrigin = 'generated' | 'source';

export interface InstanceRow {
  id: string;
  seriesId: string;
  dueAt: Date;
  revision: number;
  origin: InstanceOrigin;
  state: InstanceState;
  taskId: string | null;
  taskVersion: number | null;
  /** The POST /tasks body of a generated instance. */
  request: unknown;
}

/** States that hold their (series, due) slot: that occurrence is covered and is never made again. */
export const LIVE_STATES: readonly InstanceState[] = ['pending', 'open', 'done', 'detached'];

function toRow(row: {
  id: string;
  seriesId: string;
  dueAt: Date;
  revision: number;
  origin: string;
  state: string;
  taskId: string | null;
  taskVersion: number | null;
  request: Prisma.JsonValue;
}): InstanceRow {
  return { ...row, origin: row.origin as InstanceOrigin, state: row.state as InstanceState };
}

const SELECT = {
  id: true,
  seriesId: true,
  dueAt: true,
  revision: true,
  origin: true,
  state: true,
  taskId: true,
  taskVersion: true,
  request: true,
} as const;

export interface NewInstance {
  id: string;
  seriesId: string;
  dueAt: Date;
  revision: number;
  origin: InstanceOrigin;
  /** A live state: a generated row starts pending; the source task's row starts as the task is. */
  state: 'pending' | 'open' | 'done' | 'detached';
  taskId?: string | undefined;
  taskVersion?: number | undefined;
  request?: unknown;
}

/**
 * Claims the (series, due) slot. False when a live row already holds it: another replica or an earlier
 * attempt claimed it, and its row (with the same idempotency key) is finished instead.
 */
export async function claimInstance(db: Db, instance: NewInstance): Promise<boolean> {
  const request = instance.request === undefined ? null : JSON.stringify(instance.request);
  const inserted = await db.$executeRaw`
    INSERT INTO instances (id, series_id, due_at, revision, origin, state, task_id, task_version, request)
    VALUES (${instance.id}::uuid, ${instance.seriesId}::uuid, ${instance.dueAt}::timestamptz, ${instance.revision},
            ${instance.origin}, ${instance.state}, ${instance.taskId ?? null}::uuid, ${instance.taskVersion ?? null}::int,
            ${request}::jsonb)
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

/** The due instants in [from, to) whose slot a live row holds. */
export async function liveDueInstants(db: Db, seriesId: string, from: Date, to: Date): Promise<Set<number>> {
  const rows = await db.instance.findMany({
    where: { seriesId, state: { in: [...LIVE_STATES] }, dueAt: { gte: from, lt: to } },
    select: { dueAt: true },
  });
  return new Set(rows.map((r) => r.dueAt.getTime()));
}

export async function instancesInState(db: Db, seriesId: string, state: InstanceState, limit: number): Promise<InstanceRow[]> {
  const rows = await db.instance.findMany({ where: { seriesId, state }, orderBy: { dueAt: 'asc' }, take: limit, select: SELECT });
  return rows.map(toRow);
}

export async function countInState(db: Db, seriesId: string, state: InstanceState): Promise<number> {
  return db.instance.count({ where: { seriesId, state } });
}

export async function findInstanceByTask(db: Db, taskId: string): Promise<InstanceRow | undefined> {
  const row = await db.instance.findUnique({ where: { taskId }, select: SELECT });
  return row === null ? undefined : toRow(row);
}

/** Instances with a due time in [from, to), for the occurrence preview. */
export async function instancesBetween(db: Db, seriesId: string, from: Date, to: Date): Promise<InstanceRow[]> {
  const rows = await db.instance.findMany({
    where: { seriesId, dueAt: { gte: from, lt: to } },
    orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }],
    select: SELECT,
  });
  return rows.map(toRow);
}

/**
 * Records the task the tasks app answered with. A row that was superseded meanwhile keeps its state but
 * learns its task, which is then cancelled. Returns true when this call moved the row from pending to open
 * (a racing replica that got the same replayed answer finds it open already).
 */
export async function recordCreatedTask(db: Db, id: string, taskId: string, taskVersion: number): Promise<boolean> {
  const opened = await db.$executeRaw`
    UPDATE instances SET state = 'open', task_id = ${taskId}::uuid, task_version = ${taskVersion}, updated_at = statement_timestamp()
    WHERE id = ${id}::uuid AND state = 'pending'`;
  if (opened === 1) return true;
  await db.$executeRaw`
    UPDATE instances SET task_id = ${taskId}::uuid, task_version = ${taskVersion}, updated_at = statement_timestamp()
    WHERE id = ${id}::uuid AND task_id IS NULL`;
  return false;
}

/**
 * Future instances nobody has started leave their slot for a new revision (or for nothing, when the series
 * ended). Done, user-changed and source instances stay as they are. Returns how many were superseded.
 */
export async function supersedeUntouched(tx: Tx, seriesId: string, from: Date): Promise<number> {
  return tx.$executeRaw`
    UPDATE instances SET state = 'superseded', updated_at = statement_timestamp()
    WHERE series_id = ${seriesId}::uuid AND origin = 'generated' AND state IN ('pending', 'open') AND due_at >= ${from}::timestamptz`;
}

/** Moves a row from one state to another; false when it was no longer in `from` (another writer got there first). */
export async function transition(db: Db, id: string, from: readonly InstanceState[], to: InstanceState, taskVersion?: number): Promise<boolean> {
  const { count } = await db.instance.updateMany({
    where: { id, state: { in: [...from] } },
    data: { state: to, updatedAt: new Date(), ...(taskVersion !== undefined ? { taskVersion } : {}) },
  });
  return count === 1;
}

/** Series that still have superseded rows whose tasks await cancellation. */
export async function seriesWithSuperseded(db: Db, limit: number): Promise<string[]> {
  const rows = await db.instance.findMany({ where: { state: 'superseded' }, distinct: ['seriesId'], select: { seriesId: true }, take: limit });
  return rows.map((r) => r.seriesId);
}
