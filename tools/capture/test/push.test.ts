import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestCapture, type TestCapture } from './support/capture.ts';

interface FcmErrorBody {
  error: { code: number; message: string; status: string; details: Array<Record<string, unknown>> };
}

describe('FCM HTTP v1 push capture', () => {
  let t: TestCapture;
  const send = (body: unknown, project = 'lifeline-dev') =>
    t.http('POST', `/fcm/v1/projects/${project}/messages:send`, typeof body === 'string' ? body : JSON.stringify(body), {
      'content-type': 'application/json',
    });
  const message = (token: string, extra: object = {}) => ({ message: { token, ...extra } });

  async function fcmErrorCode(res: Response): Promise<string | undefined> {
    const body = (await res.json()) as FcmErrorBody;
    const fcm = body.error.details.find((d) => d['@type'] === 'type.googleapis.com/google.firebase.fcm.v1.FcmError');
    return fcm?.errorCode as string | undefined;
  }

  before(async () => {
    t = await startTestCapture();
  });
  after(() => t?.close());
  beforeEach(() => t.client.reset());

  it('when a message is sent to a token, then FCM answers its name and the push is captured as sent', async () => {
    const res = await send(
      message('device-1', {
        notification: { title: 'SOS', body: 'Ann needs help' },
        data: { emergencyId: 'e-1', kind: 'emergency.created' },
        android: { priority: 'HIGH' },
        apns: { headers: { 'apns-priority': '10' } },
      }),
    );

    assert.equal(res.status, 200);
    const { name } = (await res.json()) as { name: string };
    assert.match(name, /^projects\/lifeline-dev\/messages\/[\w-]+$/);
    const pushes = await t.client.pushes({ token: 'device-1' });
    assert.equal(pushes.length, 1);
    const [push] = pushes;
    assert.equal(push?.name, name);
    assert.equal(push?.project, 'lifeline-dev');
    assert.deepEqual(push?.notification, { title: 'SOS', body: 'Ann needs help' });
    assert.deepEqual(push?.data, { emergencyId: 'e-1', kind: 'emergency.created' });
    assert.deepEqual(push?.android, { priority: 'HIGH' });
    assert.deepEqual(push?.apns, { headers: { 'apns-priority': '10' } });
    assert.equal(push?.webpush, null);
    assert.deepEqual(await t.client.pushes({ token: 'device-2' }), []);
  });

  it('when a token is marked unregistered, then sends to it get 404 UNREGISTERED in FCM format and other tokens still work', async () => {
    await t.client.unregisterToken('uninstalled');

    const res = await send(message('uninstalled', { notification: { title: 'x' } }));
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      error: {
        code: 404,
        message: 'Requested entity was not found.',
        status: 'NOT_FOUND',
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }],
      },
    });
    assert.equal((await send(message('installed'))).status, 200);
    assert.deepEqual((await t.client.pushes()).map((p) => p.token), ['installed']);
  });

  it('when a 429 is queued twice, then two sends get QUOTA_EXCEEDED with Retry-After and the third is delivered', async () => {
    await t.client.failPush({ status: 429, times: 2, retryAfterSeconds: 7 });

    for (let i = 0; i < 2; i++) {
      const res = await send(message('device-1'));
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      const body = (await res.clone().json()) as FcmErrorBody;
      assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
      assert.equal(await fcmErrorCode(res), 'QUOTA_EXCEEDED');
    }
    assert.equal((await send(message('device-1'))).status, 200);
    assert.equal((await t.client.pushes()).length, 1);
    assert.deepEqual(await t.client.pushFaults(), []);
  });

  it('when a 429 is queued without a delay, then Retry-After is still sent, as FCM always does', async () => {
    await t.client.failPush({ status: 429 });
    const res = await send(message('device-1'));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '1');
  });

  it('when 500 and 503 are queued, then sends get INTERNAL and UNAVAILABLE, in the order queued', async () => {
    await t.client.failPush({ status: 500 });
    await t.client.failPush({ status: 503, retryAfterSeconds: 2 });

    const internal = await send(message('device-1'));
    assert.equal(internal.status, 500);
    assert.equal(internal.headers.get('retry-after'), null);
    assert.equal(await fcmErrorCode(internal), 'INTERNAL');
    const unavailable = await send(message('device-1'));
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get('retry-after'), '2');
    assert.equal(await fcmErrorCode(unavailable), 'UNAVAILABLE');
    assert.equal((await send(message('device-1'))).status, 200);
  });

  it('when a fault matches one token, then only sends to that token fail', async () => {
    await t.client.failPush({ status: 503, match: { token: 'flaky' } });
    assert.equal((await send(message('steady'))).status, 200);
    assert.equal((await send(message('flaky'))).status, 503);
    assert.equal((await send(message('flaky'))).status, 200);
  });

  it('when the request is malformed, then FCM-style 400 INVALID_ARGUMENT names the field, nothing is captured and no fault is used', async () => {
    await t.client.failPush({ status: 503 });
    const cases: Array<[unknown, string | undefined]> = [
      ['{"message": {"token": ', undefined],
      ['', undefined],
      [{ message: {} }, 'message.token'],
      [{ message: { token: 'has space' } }, 'message.token'],
      [message('device-1', { data: { count: 3 } }), 'message.data.count'],
      [message('device-1', { data: { 'google.sent': 'x' } }), 'message.data.google.sent'],
      [message('device-1', { notification: { text: 'wrong field' } }), 'message.notification.text'],
      [message('device-1', { priority: 'high' }), 'message.priority'],
      [{ message: { topic: 'news' } }, 'message.token'],
      [{ msg: { token: 'device-1' } }, 'message'],
    ];
    for (const [body, field] of cases) {
      const res = await send(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const error = ((await res.json()) as FcmErrorBody).error;
      assert.equal(error.status, 'INVALID_ARGUMENT');
      assert.equal(error.code, 400);
      const badRequest = error.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.BadRequest') as
        | { fieldViolations: Array<{ field?: string; description: string }> }
        | undefined;
      assert.ok(badRequest, JSON.stringify(error));
      if (field !== undefined) assert.ok(badRequest.fieldViolations.some((v) => v.field === field), `${field} in ${JSON.stringify(error)}`);
      else assert.match(error.message, /^Invalid JSON payload received\./);
    }
    assert.deepEqual(await t.client.pushes(), []);
    assert.equal((await t.client.pushFaults()).length, 1);
  });

  it('when a target other than a token is used, then the reason is said plainly', async () => {
    const res = await send({ message: { token: 'device-1', topic: 'news' } });
    assert.equal(res.status, 400);
    const error = ((await res.json()) as FcmErrorBody).error;
    assert.match(error.message, /message\.topic.*send to a token/);
  });

  it('when validate_only is set, then the message is checked and answered but not captured', async () => {
    const ok = await send({ ...message('device-1', { notification: { title: 'dry run' } }), validate_only: true });
    assert.equal(ok.status, 200);
    const bad = await send({ ...message('device-1', { data: { n: 1 } }), validateOnly: true });
    assert.equal(bad.status, 400);
    assert.deepEqual(await t.client.pushes(), []);
  });

  it('when a push fault or unregister request is not valid, then the API answers 400 problem+json and changes nothing', async () => {
    for (const body of [{ status: 404 }, { status: 429, times: -1 }, { status: 503, retryAfterSeconds: 1.5 }, { status: 500, match: {} }]) {
      const res = await t.http('POST', '/push/faults', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
    for (const body of [{}, { token: '' }, { token: 5 }]) {
      assert.equal((await t.http('POST', '/push/unregistered', body)).status, 400, JSON.stringify(body));
    }
    assert.deepEqual(await t.client.pushFaults(), []);
    assert.equal((await send(message('device-1'))).status, 200);
  });
});
