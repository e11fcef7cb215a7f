import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentContext, currentTraceparent, parseTraceparent, withEventContext } from '../src/index.ts';
import { captureLogger, makeApp, serve } from './helpers.ts';

const INCOMING = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

test('when a request carries a traceparent, then logs and the response continue that trace with a new span', async (t) => {
  const kit = makeApp();
  kit.app.get('/work', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 5));
    kit.logger.info('inside');
    res.json({ outgoing: currentTraceparent() });
  });
  const server = await serve(t, kit.app);
  const res = await fetch(`${server.url}/work`, { headers: { traceparent: INCOMING, 'x-request-id': 'req-42' } });
  const header = res.headers.get('traceparent') ?? '';
  assert.match(header, /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  assert.notEqual(header, INCOMING);
  assert.equal(res.headers.get('x-request-id'), 'req-42');
  assert.equal(((await res.json()) as { outgoing: string }).outgoing, header);
  const line = kit.lines.find((l) => l['msg'] === 'inside');
  assert.equal(line?.['traceId'], '0af7651916cd43dd8448eb211c80319c');
  assert.equal(line?.['requestId'], 'req-42');
  assert.equal(line?.['app'], 'test');
});

test('when a request has no (or a malformed) traceparent, then a fresh trace and request id are made', async (t) => {
  const kit = makeApp();
  kit.app.get('/work', (_req, res) => {
    res.json(currentContext());
  });
  const server = await serve(t, kit.app);
  const res = await fetch(`${server.url}/work`, { headers: { traceparent: '00-zzz-bad-01' } });
  const ctx = (await res.json()) as { traceId: string; requestId: string };
  assert.match(ctx.traceId, /^[0-9a-f]{32}$/);
  assert.match(ctx.requestId, /^[0-9a-f-]{36}$/);
});

test('when code runs in an event context, then log lines carry the event id and the event trace', () => {
  const { logger, lines } = captureLogger();
  withEventContext({ eventId: 'evt-9', traceparent: INCOMING }, () => logger.info('consumed'));
  logger.info('outside');
  assert.equal(lines[0]?.['eventId'], 'evt-9');
  assert.equal(lines[0]?.['traceId'], '0af7651916cd43dd8448eb211c80319c');
  assert.equal(lines[1]?.['eventId'], undefined);
  assert.equal(lines[1]?.['traceId'], undefined);
});

test('parseTraceparent rejects what W3C Trace Context calls invalid', () => {
  assert.deepEqual(parseTraceparent(INCOMING), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    parentId: 'b7ad6b7169203331',
    traceFlags: '01',
  });
  assert.equal(parseTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01'), undefined);
  assert.equal(parseTraceparent('00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'), undefined);
  assert.equal(parseTraceparent('ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), undefined);
  assert.equal(parseTraceparent(`${INCOMING}-extra`), undefined);
  assert.ok(parseTraceparent(`01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra`));
  assert.equal(parseTraceparent(undefined), undefined);
});
