import { CaptureClient, startCapture, type RunningCapture } from '@lifeline/capture';
import { createTestSchema, dropSchema, truncateAll } from './database.ts';
import { startFakeSidecar, type FakeSidecar } from './fake-sidecar.ts';
import { APP_TOKEN, redisKeyPrefix, startNotificationApp, type RunningNotificationApp } from './notification-app.ts';

/** Everything one test file runs against: its own schema, capture server, fake sidecar and app instances. */
export interface Harness {
  schema: string;
  capture: CaptureClient;
  sidecar: FakeSidecar;
  app: RunningNotificationApp;
  /** Another instance on the same schema, Redis prefix and sidecar (a second replica). */
  replica(): Promise<RunningNotificationApp>;
  /** Between tests: empty tables, no mail, no faults. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const schema = await createTestSchema(label);
  const capture: RunningCapture = await startCapture({ smtpPort: 0, httpPort: 0, onError: () => undefined });
  const client = new CaptureClient(`http://127.0.0.1:${capture.httpPort}`);
  const sidecar = await startFakeSidecar({ fanoutPubsub: 'fanout', appToken: APP_TOKEN });
  const prefix = redisKeyPrefix(label);
  const start = async () => {
    const app = await startNotificationApp({ schema, sidecarPort: sidecar.port, capture, redisKeyPrefix: prefix, env });
    sidecar.addFanoutTarget(app.url);
    return app;
  };
  const apps = [await start()];
  return {
    schema,
    capture: client,
    sidecar,
    app: apps[0] as RunningNotificationApp,
    async replica() {
      const app = await start();
      apps.push(app);
      return app;
    },
    async reset() {
      await truncateAll(schema);
      await client.reset();
      sidecar.published.length = 0;
      const keys = await apps[0]?.redis.keys(`${prefix}*`);
      if (keys && keys.length > 0) await apps[0]?.redis.del(...keys);
    },
    async close() {
      await Promise.all(apps.map((a) => a.close()));
      await sidecar.close();
      await capture.close();
      await dropSchema(schema);
    },
  };
}
