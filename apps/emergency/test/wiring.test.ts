import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { topicsConsumedBy } from '@lifeline/contracts';
import { migrate } from '@lifeline/db';
import { ESCALATION_CRON_BINDING } from '../src/subscriptions/escalation-cron.ts';
import { admin, adminUrlOf, createTestSchema, dropSchema, migrationsDir } from './support/database.ts';
import { APP_TOKEN, startEmergencyApp, type RunningEmergencyApp } from './support/emergency-app.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the emergency-escalation-cron component', () => {
  it('when daprd loads components/dapr/common, then a one-second cron input binding named like the route exists, scoped to emergency', () => {
    const yaml = readFileSync(join(root, 'components', 'dapr', 'common', `${ESCALATION_CRON_BINDING}.yaml`), 'utf8');
    assert.match(yaml, new RegExp(`^  name: ${ESCALATION_CRON_BINDING}$`, 'm'));
    assert.match(yaml, /^  type: bindings\.cron$/m);
    assert.match(yaml, /- name: schedule\n\s+value: "@every 1s"/);
    assert.match(yaml, /- name: direction\n\s+value: input/);
    assert.match(yaml, /^scopes:\n  - emergency\n?$/m);
  });
});

describe('the running app', () => {
  let schema: string;
  let app: RunningEmergencyApp;
  before(async () => {
    schema = await createTestSchema('wiring');
    app = await startEmergencyApp({ schema });
  });
  after(async () => {
    await app?.close();
    if (schema) await dropSchema(schema);
  });

  it('when the sidecar asks for subscriptions, then the answer matches the contract\'s subscribers entry (none yet)', async () => {
    const res = await fetch(`${app.url}/dapr/subscribe`, { headers: { 'dapr-api-token': APP_TOKEN } });
    assert.equal(res.status, 200);
    const subs = (await res.json()) as Array<{ topic: string }>;
    assert.deepEqual(subs.map((s) => s.topic).sort(), [...topicsConsumedBy('emergency')].sort());
  });

  it('when probed, then live answers 200; ready reports the (absent) sidecar as not ready', async () => {
    assert.equal((await fetch(`${app.url}/health/live`)).status, 200);
    assert.equal((await fetch(`${app.url}/health/ready`)).status, 503);
  });

  it('when migrated twice, then the second run applies nothing; the app role may not change the schema', async () => {
    const again = await migrate({ databaseUrl: adminUrlOf(), migrationsDir, schema });
    assert.deepEqual(again.applied, []);
    const privileges = await admin((c) =>
      c.query<{ create: boolean }>(`SELECT has_schema_privilege('emergency_app', $1, 'CREATE') AS create`, [schema]),
    );
    assert.equal(privileges.rows[0]?.create, false);
  });
});
