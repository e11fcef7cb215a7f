import { Router } from 'express';
import { answerUnknownMethods, serveOpenApi, type Auth, type Logger, type Role } from '@lifeline/kit';
import { listAuditEvents, type AuditEventFilter } from '../data/audit-event-repository.ts';
import type { Db } from '../data/db.ts';
import { listDeadLetters } from '../data/dead-letter-repository.ts';
import { originalTopic } from '../domain/dead-letter.ts';
import { verifyTrail } from '../domain/verify-trail.ts';
import { toAuditEventJson } from './audit-event-json.ts';
import { streamExport } from './audit-export.ts';
import {
  auditEventsQuery,
  deadLettersQuery,
  entityHistoryQuery,
  entityPath,
  exportQuery,
  parsePath,
  parseQuery,
  userActivityQuery,
  userPath,
  verifyQuery,
} from './audit-query.ts';
import { OPENAPI_PATH, buildOpenApiDocument } from './openapi.ts';
import { createKeysetCursors, pageOf } from './page-cursor.ts';

/** The trail spans every person's records, so only compliance officers and admins read it. */
const READERS: readonly Role[] = ['compliance', 'admin'];

export interface AuditRouteDeps {
  auth: Auth;
  db: Db;
  logger: Logger;
  /** Rows per query when streaming an export or walking chains. */
  streamBatchSize: number;
  /** The service secret page cursors are signed with. */
  cursorSecret: string;
}

/**
 * Every listing is ordered by (occurred_at, event_id), oldest first, and paged with a keyset cursor on
 * that pair; see README "Pagination" for why that and not arrival order.
 */
export function auditRoutes(deps: AuditRouteDeps): Router {
  const { auth, db, logger, streamBatchSize } = deps;
  const router = Router();
  const readers = auth.requireAuth(READERS);
  const eventCursors = createKeysetCursors(deps.cursorSecret, 'events');
  const deadLetterCursors = createKeysetCursors(deps.cursorSecret, 'dead-letters');

  // A cursor is bound to the filter it paged: sent with another one it would skip or repeat rows.
  async function page(filter: AuditEventFilter, limit: number, cursor: string | undefined) {
    const after = cursor === undefined ? undefined : eventCursors.decode(cursor, filter);
    const rows = await listAuditEvents(db, filter, limit + 1, after);
    const { items, nextCursor } = pageOf(rows, limit, (row) => eventCursors.encode({ at: row.occurredAt, id: row.eventId }, filter));
    return { items: items.map(toAuditEventJson), nextCursor };
  }

  // Public, and before /audit/:entityType/:entityId reads anything.
  router.get(OPENAPI_PATH, serveOpenApi(buildOpenApiDocument()));

  router.get('/audit', readers, async (req, res) => {
    const q = parseQuery(auditEventsQuery, req.query);
    res.json(await page(filterOf(q), q.limit, q.cursor));
  });

  router.get('/audit/dead-letters', readers, async (req, res) => {
    const q = parseQuery(deadLettersQuery, req.query);
    // Either name finds them: "task-events" or the topic they were delivered on, "task-events.dead-letter".
    const topic = q.topic === undefined ? undefined : originalTopic(q.topic);
    const after = q.cursor === undefined ? undefined : deadLetterCursors.decode(q.cursor, { topic });
    const rows = await listDeadLetters(db, topic, q.limit + 1, after);
    res.json(pageOf(rows, q.limit, (row) => deadLetterCursors.encode({ at: row.receivedAt, id: row.id }, { topic })));
  });

  router.get('/audit/export', readers, async (req, res) => {
    const q = parseQuery(exportQuery, req.query);
    await streamExport(db, res, { filter: { ...filterOf(q), from: q.from, to: q.to }, format: q.format, batchSize: streamBatchSize, logger });
  });

  router.get('/audit/verify', readers, async (req, res) => {
    const q = parseQuery(verifyQuery, req.query);
    const report = await verifyTrail(db, { from: q.from, to: q.to, batchSize: streamBatchSize });
    if (!report.ok) logger.error({ firstBroken: report.firstBroken, checked: report.checked }, 'audit trail verification found a broken link');
    res.json({ ...report, from: q.from?.toISOString() ?? null, to: q.to?.toISOString() ?? null });
  });

  router.get('/audit/user/:userId/activity', readers, async (req, res) => {
    const { userId } = parsePath(userPath, req.params);
    const q = parseQuery(userActivityQuery, req.query);
    const filter: AuditEventFilter = {
      actorId: userId,
      entityType: q.entity_type,
      action: q.action,
      sourceApp: q.source,
      from: q.from,
      to: q.to,
    };
    res.json(await page(filter, q.limit, q.cursor));
  });

  router.get('/audit/:entityType/:entityId', readers, async (req, res) => {
    const { entityType, entityId } = parsePath(entityPath, req.params);
    const q = parseQuery(entityHistoryQuery, req.query);
    res.json(await page({ entityType, entityId, from: q.from, to: q.to }, q.limit, q.cursor));
  });

  return answerUnknownMethods(router);
}

/** The query-string names of /audit and /audit/export, mapped onto the repository's filter. */
function filterOf(q: {
  entity_type?: string | undefined;
  entity_id?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  source?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}): AuditEventFilter {
  return { entityType: q.entity_type, entityId: q.entity_id, actorId: q.actor, action: q.action, sourceApp: q.source, from: q.from, to: q.to };
}
