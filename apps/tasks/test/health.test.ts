import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@lifeline/kit/testing';
import { createTestSchema, dropSchema } from './support/database.ts';
import { closedPort, startSidecarRecorder, type SidecarRecorder } from './support/sidecar-recorder.ts';
import { startTasksApp, type RunningTasksApp } from './support/tasks-app.ts';

describe('health and metrics', () => {
  let schema: string;
  let recorder: SidecarRecorder;
  let withSidecar: RunningTasksApp;
  let withoutSidecar: RunningTasksApp;
  let withoutDatabase: RunningTasksApp;

  before(async () => {
    schema = await createTestSchema('health');
    recorder = await startSidecarRecorder();
    withSidecar = await startTasksApp({ schema, daprPort: recorder.port });
    withoutSidecar = await startTasksApp({ schema, daprPort: await closedPort() });
    const deadDb = `postgres://tasks_app:tasks-dev-password@127.0.0.1:${await closedPort()}/lifeline`;
    withoutDatabase = await startTasksApp({ schema, daprPort: recorder.port, env: { DATABASE_URL: deadDb } });
  });
  after(async () => {
    await Promise.all([withSidecar?.close(), withoutSidecar?.close(), withoutDatabase?.close()]);
    await recorder?.close();
    if (schema) await dropSchema(schema);
  });

  async function failingChecks(res: Response): Promise<string[]> {
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean }> };
    return body.checks.filter((c) => !c.ok).map((c) => c.name);
  }

  it('when the sidecar and the database answer, then /health/ready is 200 with both checks', async () => {
    const res = await fetch(`${withSidecar.url}/health/ready`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { checks: Array<{ name: string; ok: boolean }> };
    assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['sidecar', true], ['database', true]]);
  });

  it('when the sidecar is unreachable, then /health/ready is 503 naming it while /health/live stays 200', async () => {
    assert.deepEqual(await failingChecks(await fetch(`${withoutSidecar.url}/health/ready`)), ['sidecar']);
    assert.equal((await fetch(`${withoutSidecar.url}/health/live`)).status, 200);
  });

  it('when the database is unreachable, then /health/ready is 503 naming it', async () => {
    assert.deepEqual(await failingChecks(await fetch(`${withoutDatabase.url}/health/ready`)), ['database']);
  });

  it('when the database is unreachable, then the relay counts the failure, backs off and keeps running', async () => {
    withoutDatabase.relay.start();
    const failures = async () => {
      const text = await (await fetch(`${withoutDatabase.url}/metrics`)).text();
      return Number(/^outbox_relay_failures_total\{reason="database",app="tasks"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    await eventually(async () => (await failures()) >= 2, 'two failed relay rounds');
    assert.equal(withoutDatabase.relay.running, true);
  });

  it('when /metrics is scraped, then the kit series and the outbox gauges are there, even without a database', async () => {
    const text = await (await fetch(`${withSidecar.url}/metrics`)).text();
    assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
    assert.match(text, /^# TYPE outbox_pending gauge$/m);
    assert.match(text, /^# TYPE outbox_oldest_pending_age_seconds gauge$/m);
    const res = await fetch(`${withoutDatabase.url}/metrics`);
    assert.equal(res.status, 200);
  });
});
