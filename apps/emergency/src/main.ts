import { configOrExit, createLogger, createMetrics, daprClientFromConfig, runService, startServer } from '@lifeline/kit';
import { disconnect, prismaFromConfig } from '@lifeline/db';
import { createApp } from './app.ts';
import { loadEmergencyConfig } from './config.ts';
import { PrismaClient } from './generated/prisma/client.ts';

const config = configOrExit('emergency', () => loadEmergencyConfig());
const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
const metrics = createMetrics({ appId: config.APP_ID });
const dapr = daprClientFromConfig(config, { metrics, logger });
// Location lookups on raise get a budget of their own: an absent location app must not hold anything up.
const locationDapr = daprClientFromConfig(config, { metrics, logger, timeoutMs: config.LOCATION_TIMEOUT_MS });
const prisma = prismaFromConfig(PrismaClient, config, logger);

await runService({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    const { app, relay, steps, locations } = createApp({ config, prisma, dapr, locationDapr, logger, metrics });
    const server = await startServer(app, config.APP_PORT);
    relay.start();
    // Steps that fell due while no replica ran go out now, not at the first tick.
    steps.wake();
    return {
      // Requests and ticks drain first (their commits still wake the relay); then the relay finishes its batch.
      close: async (timeoutMs?: number) => {
        const drained = await server.close(timeoutMs);
        await steps.stop();
        await locations.drain();
        await relay.stop();
        return drained;
      },
    };
  },
  stop: () => disconnect(prisma),
});
