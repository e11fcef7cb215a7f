import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createDaprClient } from '@lifeline/kit';
import { fcmRequest, interpretFcmResponse } from '../src/channels/push/fcm.ts';
import { daprPushGateway } from '../src/channels/push/push-gateway.ts';

const fcmError = (code: number, status: string, errorCode: string, extra: object[] = [], message = 'error') => ({
  error: { code, message, status, details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }, ...extra] },
});

describe('reading FCM answers', () => {
  it('when FCM accepts, then the message name is the provider id', () => {
    assert.deepEqual(interpretFcmResponse(200, '{"name":"projects/p/messages/42"}'), { kind: 'sent', name: 'projects/p/messages/42' });
  });

  it('when the token is unregistered (404) or named invalid (400 on message.token), then it is a bad token', () => {
    assert.equal(interpretFcmResponse(404, fcmError(404, 'NOT_FOUND', 'UNREGISTERED')).kind, 'bad-token');
    const invalid = fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }] }]);
    assert.equal(interpretFcmResponse(400, invalid).kind, 'bad-token');
  });

  it('when the message itself is refused (400 elsewhere) or the sender is wrong (403), then it failed for good', () => {
    assert.equal(interpretFcmResponse(400, fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', [], 'Invalid JSON payload')).kind, 'failed');
    assert.equal(interpretFcmResponse(403, fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH')).kind, 'failed');
  });

  it('when FCM is overloaded (429, 5xx), then it is transient and Retry-After is kept', () => {
    assert.deepEqual(interpretFcmResponse(429, fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'), '2'), {
      kind: 'transient',
      error: 'FCM 429 RESOURCE_EXHAUSTED (QUOTA_EXCEEDED): error',
      retryAfterMs: 2000,
    });
    assert.equal(interpretFcmResponse(503, 'Service Unavailable').kind, 'transient');
  });
});

describe('push through the Dapr output binding', () => {
  it('when daprd answers as bindings.http does with errorIfNot2XX=false, then the provider status comes from metadata.statusCode', async () => {
    const seen: unknown[] = [];
    // Answers like daprd 1.16+: HTTP 200, the provider's body, its status and headers as metadata.* headers.
    const daprd = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ url: req.url, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        res.writeHead(200, { 'content-type': 'application/json', 'metadata.statusCode': '404', 'metadata.status': '404 Not Found' });
        res.end(JSON.stringify(fcmError(404, 'NOT_FOUND', 'UNREGISTERED')));
      });
    });
    daprd.listen(0, '127.0.0.1');
    await once(daprd, 'listening');
    try {
      const dapr = createDaprClient({ host: '127.0.0.1', httpPort: (daprd.address() as AddressInfo).port, pubsubName: 'pubsub', stateStoreName: 'statestore' });
      const message = { token: 'gone', title: 't', body: 'b', data: { k: 'v' }, urgent: false };
      const result = await daprPushGateway(dapr, 'push', 'proj').send(message);
      assert.equal(result.kind, 'bad-token');
      assert.deepEqual(seen, [
        { url: '/v1.0/bindings/push', body: { operation: 'post', data: fcmRequest(message), metadata: { path: '/v1/projects/proj/messages:send', errorIfNot2XX: 'false' } } },
      ]);
    } finally {
      daprd.close();
    }
  });

  it('when the sidecar cannot be reached, then the push is transient', async () => {
    const dapr = createDaprClient({ host: '127.0.0.1', httpPort: 1, pubsubName: 'pubsub', stateStoreName: 'statestore', timeoutMs: 500 });
    const result = await daprPushGateway(dapr, 'push', 'proj').send({ token: 't', title: 't', body: 'b', data: {}, urgent: true });
    assert.equal(result.kind, 'transient');
  });
});
