import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@lifeline/kit/testing';
import { raise, someone, type EmergencyBody } from './support/api.ts';
import { createTestSchema, dropSchema } from './support/database.ts';
import { as, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';
import { startLocationSidecar, type LocationSidecar } from './support/location-sidecar.ts';

describe('location on raise', () => {
  let schema: string;
  let app: RunningEmergencyApp;
  let sidecar: LocationSidecar;

  before(async () => {
    schema = await createTestSchema('location');
    sidecar = await startLocationSidecar();
    app = await startEmergencyApp({ schema, env: { DAPR_HTTP_PORT: String(sidecar.port), LOCATION_TIMEOUT_MS: '2000' } });
  });
  after(async () => {
    await app?.close();
    await sidecar?.close();
    if (schema) await dropSchema(schema);
  });

  const locationEntry = (url: string, auth: string, id: string) =>
    eventually(async () => {
      const res = await fetch(`${url}/emergencies/${id}`, { headers: { authorization: auth } });
      const body = (await res.json()) as EmergencyBody & { location: unknown; timeline: Array<{ kind: string; data: Record<string, unknown> }> };
      const entry = body.timeline.find((t) => t.kind === 'location');
      return entry === undefined ? undefined : { body, entry };
    }, 'the location entry on the timeline', 8000);

  it('when the location app knows the person, then the last known position becomes the emergency\'s location and the trail goes on the timeline', async () => {
    sidecar.hang = false;
    const person = someone('ann');
    const at = new Date().toISOString();
    sidecar.people.set(person, { latest: { lat: 52.52, lon: 13.405, accuracyM: 8, recordedAt: at }, trail: [{ lat: 52.5, lon: 13.4, accuracyM: 10, recordedAt: at }, { lat: 52.52, lon: 13.405, recordedAt: at }] });
    const auth = await as.user(person);
    const e = await raise(app.url, auth);
    const { body, entry } = await locationEntry(app.url, auth, e.id);
    assert.deepEqual(body.location, { lat: 52.52, lon: 13.405, accuracyM: 8, recordedAt: at });
    assert.equal(entry.data.attached, true);
    assert.equal((entry.data.trail as unknown[]).length, 2);
    const call = sidecar.calls.find((c) => c.path.endsWith('/latest'));
    assert.match(call?.authorization ?? '', /^Bearer /, 'the lookup carries a service token');
  });

  it('when the location app does not answer in time, then the raise does not wait, and the timeline says nothing was attached', async () => {
    sidecar.hang = true;
    const auth = await as.user(someone('bea'));
    const started = Date.now();
    const e = await raise(app.url, auth, { type: 'sos', location: { lat: 1, lon: 2, accuracyM: null, recordedAt: new Date().toISOString() } });
    assert.ok(Date.now() - started < 1500, `the raise answered in ${Date.now() - started} ms`);
    const { body, entry } = await locationEntry(app.url, auth, e.id);
    assert.equal(entry.data.attached, false);
    assert.match(String(entry.data.reason), /could not be reached/);
    assert.deepEqual((body.location as { lat: number }).lat, 1, 'the location the raise carried stays');
  });

  it('when the location app has no position for the person, then nothing is attached and that is recorded', async () => {
    sidecar.hang = false;
    const auth = await as.user(someone('cid'));
    const e = await raise(app.url, auth);
    const { body, entry } = await locationEntry(app.url, auth, e.id);
    assert.equal(entry.data.attached, false);
    assert.equal(body.location, null);
  });
});
