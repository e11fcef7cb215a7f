import { Router } from 'express';
import type { Auth, Role } from '@lifeline/kit';
import { listAuditEvents } from '../data/audit-event-repository.ts';
import type { Db } from '../data/db.ts';
import { listDeadLetters } from '../data/dead-letter-repository.ts';
import { originalTopic } from '../domain/dead-letter.ts';
import { auditEventsQuery, deadLettersQuery, parseQuery } from './audit-query.ts';
import { decodeCursor, pageOf } from './page-cursor.ts';

/** The trail spans every person's records, so only compliance officers and admins read it. */
const READERS: readonly Role[] = ['compliance', 'admin'];

export function auditRoutes(deps: { auth: Auth; db: Db }): Router {
  const { auth, db } = deps;
  const router = Router();
  const readers = auth.requireAuth(READERS);

  router.get('/audit', readers, async (req, res) => {
    const q = parseQuery(auditEventsQuery, req.query);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    const rows = await listAuditEvents(db, { entityType: q.entity_type, entityId: q.entity_id }, q.limit + 1, after);
    res.json(pageOf(rows, q.limit, (row) => ({ at: row.occurredAt, id: row.eventId })));
  });

  router.get('/audit/dead-letters', readers, async (req, res) => {
    const q = parseQuery(deadLettersQuery, req.query);
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    // Either name finds them: "task-events" or the topic they were delivered on, "task-events.dead-letter".
    const topic = q.topic === undefined ? undefined : originalTopic(q.topic);
    const rows = await listDeadLetters(db, topic, q.limit + 1, after);
    res.json(pageOf(rows, q.limit, (row) => ({ at: row.receivedAt, id: row.id })));
  });

  return router;
}
