import { z } from 'zod';
import { createCursorCodec, type CursorCodec } from '@lifeline/kit';
import { sortValueKind, type Keyset, type TaskSort } from '../data/task-list-repository.ts';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const keysetSchema = z.strictObject({
  value: z.union([z.string().max(200), z.int(), z.null()]),
  id: z.uuid(),
});

/** The cursors of GET /tasks: the position is the (sort value, id) of the last task returned. */
export function createTaskCursors(secret: string): CursorCodec<Keyset> {
  return createCursorCodec({ secret, purpose: 'tasks', position: keysetSchema });
}

/** A keyset whose value is not of the kind the sort field holds would make the page query fail, not page. */
export function keysetFits(keyset: Keyset, sort: TaskSort): boolean {
  const { value } = keyset;
  switch (sortValueKind(sort.field)) {
    case 'instant':
      return value === null ? sort.field === 'dueAt' : typeof value === 'string' && ISO_MS.test(value) && !Number.isNaN(Date.parse(value));
    case 'integer':
      return typeof value === 'number' && value >= 0 && value <= 3;
    case 'text':
      return typeof value === 'string';
  }
}
