import type { TaskState } from '@lifeline/contracts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';
import { TASK_COLUMNS, toTaskState, type TaskRow } from './task-repository.ts';

export const TASK_SORT_FIELDS = ['dueAt', 'createdAt', 'updatedAt', 'priority', 'title'] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];

export interface TaskSort {
  field: TaskSortField;
  descending: boolean;
}

/** Where the next page starts: the sort value and id of the last task already returned. */
export interface Keyset {
  value: string | number | null;
  id: string;
}

export interface TaskFilter {
  ownerId: string;
  statuses?: readonly string[] | undefined;
  tag?: string | undefined;
  /** Inclusive lower and exclusive upper bound on dueAt (ISO instants). */
  dueFrom?: string | undefined;
  dueTo?: string | undefined;
  /** Case-insensitive substring of the title. */
  text?: string | undefined;
}

const PRIORITY_RANK: Record<TaskState['priority'], number> = { low: 0, normal: 1, high: 2, urgent: 3 };

interface SortKey {
  /** A fixed SQL expression from this table, never user text. */
  sql: Prisma.Sql;
  cast: Prisma.Sql;
  nullable: boolean;
  read: (task: TaskState) => string | number | null;
}

const SORT_KEYS: Record<TaskSortField, SortKey> = {
  dueAt: { sql: Prisma.raw('due_at'), cast: Prisma.raw('timestamptz'), nullable: true, read: (t) => t.dueAt },
  createdAt: { sql: Prisma.raw('created_at'), cast: Prisma.raw('timestamptz'), nullable: false, read: (t) => t.createdAt },
  updatedAt: { sql: Prisma.raw('updated_at'), cast: Prisma.raw('timestamptz'), nullable: false, read: (t) => t.updatedAt },
  priority: {
    sql: Prisma.raw(`(CASE priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END)`),
    cast: Prisma.raw('int'),
    nullable: false,
    read: (t) => PRIORITY_RANK[t.priority],
  },
  title: { sql: Prisma.raw('title'), cast: Prisma.raw('text'), nullable: false, read: (t) => t.title },
};

export function sortValueKind(field: TaskSortField): 'instant' | 'integer' | 'text' {
  return field === 'priority' ? 'integer' : field === 'title' ? 'text' : 'instant';
}

export function keysetOf(task: TaskState, sort: TaskSort): Keyset {
  return { value: SORT_KEYS[sort.field].read(task), id: task.id };
}

/** LIKE treats % _ and \ specially; a search for "50%" means those characters literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filterConditions(filter: TaskFilter): Prisma.Sql[] {
  const where = [Prisma.sql`owner_id = ${filter.ownerId}`];
  if (filter.statuses?.length) where.push(Prisma.sql`status = ANY(${[...filter.statuses]}::text[])`);
  // Containment, not ANY(tags): the GIN index on tags serves @>.
  if (filter.tag !== undefined) where.push(Prisma.sql`tags @> ARRAY[${filter.tag}]::text[]`);
  if (filter.dueFrom !== undefined) where.push(Prisma.sql`due_at >= ${filter.dueFrom}::timestamptz`);
  if (filter.dueTo !== undefined) where.push(Prisma.sql`due_at < ${filter.dueTo}::timestamptz`);
  // ILIKE with a leading wildcard is what the trigram index on title serves.
  if (filter.text !== undefined) where.push(Prisma.sql`title ILIKE ${likePattern(filter.text)}`);
  return where;
}

/**
 * Rows strictly after the keyset in (sort key, id) order. Missing sort values (dueAt) come last in both
 * directions, so a page boundary inside the "no due date" tail continues by id alone.
 */
function afterKeyset(key: SortKey, descending: boolean, after: Keyset): Prisma.Sql {
  const op = Prisma.raw(descending ? '<' : '>');
  const id = Prisma.sql`${after.id}::uuid`;
  if (after.value === null) return Prisma.sql`(${key.sql} IS NULL AND id ${op} ${id})`;
  const value = Prisma.sql`${after.value}::${key.cast}`;
  const beyond = Prisma.sql`(${key.sql}, id) ${op} (${value}, ${id})`;
  return key.nullable ? Prisma.sql`(${beyond} OR ${key.sql} IS NULL)` : beyond;
}

/** One page in keyset order; `more` says whether another page follows (one extra row is read to know). */
export async function listTasks(db: Db, filter: TaskFilter, sort: TaskSort, limit: number, after?: Keyset): Promise<{ tasks: TaskState[]; more: boolean }> {
  const key = SORT_KEYS[sort.field];
  const where = filterConditions(filter);
  if (after !== undefined) where.push(afterKeyset(key, sort.descending, after));
  const direction = Prisma.raw(sort.descending ? 'DESC' : 'ASC');
  const rows = await db.$queryRaw<TaskRow[]>`
    SELECT ${TASK_COLUMNS}
    FROM tasks
    WHERE ${Prisma.join(where, ' AND ')}
    ORDER BY ${key.sql} ${direction} NULLS LAST, id ${direction}
    LIMIT ${limit + 1}`;
  return { tasks: rows.slice(0, limit).map(toTaskState), more: rows.length > limit };
}
