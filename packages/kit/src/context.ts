import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

/** What every log line and every outgoing sidecar call of one request or one event needs to know. */
export interface RequestContext {
  traceId: string;
  /** Our own span in the W3C trace; outgoing calls name it as their parent. */
  spanId: string;
  traceFlags: string;
  requestId?: string;
  eventId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface ParsedTraceparent {
  traceId: string;
  parentId: string;
  traceFlags: string;
}

/** W3C Trace Context level 1; an invalid header is treated as absent, as the spec asks. */
export function parseTraceparent(header: string | undefined | null): ParsedTraceparent | undefined {
  if (!header) return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, parentId, traceFlags, rest] = m;
  if (!version || !traceId || !parentId || !traceFlags) return undefined;
  if (version === 'ff') return undefined;
  // Version 00 has exactly four fields; later versions may append more.
  if (version === '00' && rest !== undefined) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return undefined;
  return { traceId, parentId, traceFlags };
}

export function formatTraceparent(ctx: Pick<RequestContext, 'traceId' | 'spanId' | 'traceFlags'>): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.traceFlags}`;
}

function newContext(traceparent: string | undefined, extra: Partial<RequestContext>): RequestContext {
  const parent = parseTraceparent(traceparent);
  return {
    traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: parent?.traceFlags ?? '01',
    ...extra,
  };
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The traceparent to send on an outgoing call, or undefined outside any request or event. */
export function currentTraceparent(): string | undefined {
  const ctx = storage.getStore();
  return ctx ? formatTraceparent(ctx) : undefined;
}

/** Runs fn inside the log/trace context of one consumed event (or a job that is not an HTTP request). */
export function withEventContext<T>(
  init: { eventId?: string | undefined; traceparent?: string | undefined },
  fn: () => T,
): T {
  const outer = storage.getStore();
  const ctx = newContext(init.traceparent ?? (outer ? formatTraceparent(outer) : undefined), {
    ...(outer?.requestId !== undefined ? { requestId: outer.requestId } : {}),
    ...(init.eventId !== undefined ? { eventId: init.eventId } : {}),
  });
  return storage.run(ctx, fn);
}

/** Opens one context per request; echoes traceparent and x-request-id so callers can quote them. */
export function contextMiddleware(): RequestHandler {
  return (req, res, next) => {
    const incomingId = req.get('x-request-id');
    const requestId = incomingId && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    const ctx = newContext(req.get('traceparent'), { requestId });
    res.setHeader('traceparent', formatTraceparent(ctx));
    res.setHeader('x-request-id', requestId);
    storage.run(ctx, next);
  };
}
