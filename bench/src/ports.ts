import { connect } from 'node:net';
import type { Platform } from '@lifeline/e2e/harness';

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Another instance of these apps on their dapr.yaml ports (an e2e run, `npm run dev`) would answer our health
 * checks and take our requests and events; benchmarks start only on free ports. `extra` are the run's own
 * ports (its gateway, a trivial handler).
 */
export async function assertPortsFree(platform: Platform, appIds: readonly string[], extra: readonly number[] = []): Promise<void> {
  const ports = [
    ...appIds.flatMap((id) => {
      const app = platform.app(id);
      return [app.appPort, app.daprHttpPort, app.daprGrpcPort, app.metricsPort];
    }),
    ...extra,
  ];
  const taken = (await Promise.all(ports.map(async (p) => ((await portTaken(p)) ? p : undefined)))).filter((p) => p !== undefined);
  if (taken.length > 0) throw new Error(`ports ${taken.join(', ')} are in use (an e2e run, npm run dev?); try again when they are free`);
}
