import { z } from 'zod';
import { CHECK_IN_STATUSES, type CheckIn } from '../domain/check-in.ts';
import type { Db, Tx } from './db.ts';

interface CheckInRow {
  id: string;
  personId: string;
  note: string | null;
  dueAt: Date;
  status: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  emergencyId: string | null;
  version: number;
}

const COLUMNS = `id::text AS id, person_id AS "personId", note, due_at AS "dueAt", status, created_by AS "createdBy",
  created_at AS "createdAt", updated_at AS "updatedAt", closed_at AS "closedAt", emergency_id::text AS "emergencyId", version`;

function toCheckIn(r: CheckInRow): CheckIn {
  return {
    ...r,
    status: z.enum(CHECK_IN_STATUSES).parse(r.status),
    dueAt: r.dueAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    closedAt: r.closedAt === null ? null : r.closedAt.toISOString(),
  };
}

export async function insertCheckIn(db: Db, c: { id: string; personId: string; note: string | null; dueAt: string; createdBy: string }): Promise<CheckIn> {
  const [row] = await db.$queryRawUnsafe<CheckInRow[]>(
    `INSERT INTO check_ins (id, person_id, note, due_at, created_by) VALUES ($1::uuid, $2, $3, $4::timestamptz, $5) RETURNING ${COLUMNS}`,
    c.id,
    c.personId,
    c.note,
    c.dueAt,
    c.createdBy,
  );
  if (row === undefined) throw new Error('check-in insert returned nothing');
  return toCheckIn(row);
}

export async function findCheckIn(db: Db, id: string): Promise<CheckIn | undefined> {
  const [row] = await db.$queryRawUnsafe<CheckInRow[]>(`SELECT ${COLUMNS} FROM check_ins WHERE id = $1::uuid`, id);
  return row === undefined ? undefined : toCheckIn(row);
}

/** Locked until the transaction ends: completing, extending and the tick cannot interleave on one timer. */
export async function lockCheckIn(tx: Tx, id: string): Promise<CheckIn | undefined> {
  const [row] = await tx.$queryRawUnsafe<CheckInRow[]>(`SELECT ${COLUMNS} FROM check_ins WHERE id = $1::uuid FOR UPDATE`, id);
  return row === undefined ? undefined : toCheckIn(row);
}

export async function countPending(db: Db, personId: string): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM check_ins WHERE person_id = ${personId} AND status = 'pending'`;
  return row?.n ?? 0;
}

export async function listCheckIns(db: Db, personId: string, limit: number): Promise<CheckIn[]> {
  const rows = await db.$queryRawUnsafe<CheckInRow[]>(
    `SELECT ${COLUMNS} FROM check_ins WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    personId,
    limit,
  );
  return rows.map(toCheckIn);
}

export async function saveCheckIn(tx: Tx, c: CheckIn): Promise<void> {
  await tx.$executeRaw`
    UPDATE check_ins SET due_at = ${c.dueAt}::timestamptz, status = ${c.status}, closed_at = ${c.closedAt}::timestamptz,
      emergency_id = ${c.emergencyId}::uuid, updated_at = statement_timestamp(), version = ${c.version}
    WHERE id = ${c.id}::uuid`;
}

/**
 * The oldest pending check-in whose due time plus grace has passed, locked; one another replica (or a
 * completion in progress) holds is skipped, never waited for. The WHERE repeats check_ins_due_idx's predicate.
 */
export async function claimMissedCheckIn(tx: Tx, graceSeconds: number): Promise<CheckIn | undefined> {
  const [row] = await tx.$queryRawUnsafe<CheckInRow[]>(
    `SELECT ${COLUMNS} FROM check_ins
     WHERE status = 'pending' AND due_at <= statement_timestamp() - make_interval(secs => $1::int)
     ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    graceSeconds,
  );
  return row === undefined ? undefined : toCheckIn(row);
}
