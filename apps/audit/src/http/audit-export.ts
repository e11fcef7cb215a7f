import type { Response } from 'express';
import type { Logger } from '@lifeline/kit';
import { listAuditEvents, type AuditEventFilter, type StoredAuditEvent } from '../data/audit-event-repository.ts';
import type { Db } from '../data/db.ts';
import type { Keyset } from '../data/keyset.ts';
import { toAuditEventJson } from './audit-event-json.ts';
import type { ExportFormat } from './audit-query.ts';
import { CSV_HEADER, csvRow } from './csv.ts';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

function fileStamp(d: Date): string {
  return d.toISOString().replaceAll(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Resolves once the socket wants more, or once the client has gone (then writing stops). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Streams every row of the range, oldest first, as NDJSON or CSV. Rows are read in keyset batches of
 * `batchSize` and each batch is written only as fast as the client reads (backpressure), so memory holds
 * one batch whatever the size of the range. A failure before the first byte is an ordinary error answer;
 * after it, the connection is cut so the client cannot mistake a truncated file for a complete one.
 */
export async function streamExport(
  db: Db,
  res: Response,
  opts: { filter: AuditEventFilter & { from: Date; to: Date }; format: ExportFormat; batchSize: number; logger: Logger },
): Promise<void> {
  const { filter, format, batchSize, logger } = opts;
  const encode = format === 'csv' ? (row: StoredAuditEvent) => csvRow(toAuditEventJson(row)) : (row: StoredAuditEvent) => `${JSON.stringify(toAuditEventJson(row))}\n`;

  let batch = await listAuditEvents(db, filter, batchSize);
  res.status(200);
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('Content-Disposition', `attachment; filename="audit-${fileStamp(filter.from)}-${fileStamp(filter.to)}.${format}"`);
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'csv') res.write(CSV_HEADER);

  let rows = 0;
  try {
    for (;;) {
      for (const row of batch) {
        if (res.destroyed) {
          logger.info({ rows }, 'export abandoned by the client');
          return;
        }
        if (!res.write(encode(row))) await drained(res);
        rows++;
      }
      const last = batch.at(-1);
      if (batch.length < batchSize || !last) break;
      const after: Keyset = { at: last.occurredAt, id: last.eventId };
      batch = await listAuditEvents(db, filter, batchSize, after);
    }
  } catch (err) {
    logger.error({ err, rows }, 'export failed after it started: cutting the connection');
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  res.end();
  logger.info({ rows, format }, 'export streamed');
}
