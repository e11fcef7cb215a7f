import { configOrExit, createLogger, createMetrics, daprClientFromConfig, runService, startServer } from '@lifeline/kit';
import { disconnect, prismaFromConfig } from '@lifeline/db';
import { createApp } from './app.ts';
import { loadEmergencyConfig } from './config.ts';
import { PrismaClient } from './generated/prisma/client.ts';

const config = configOrExit('emergency', () => loadEmergencyConfig());
const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
const metrics = createMetrics({ appId: config.APP_ID });
const dapr = daprClientFromConfig(config, { metrics, logger });
const prisma = prismaFromConfig(PrismaClient, config, logger);

await runService({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    const { app, relay, steps } = createApp({ config, prisma, dapr, logger, metrics });
    const server = await startServer(app, config.APP_PORT);
    relay.start();
    // Steps that fell due while no replica ran go out now, not at the first tick.
    steps.wake();
    return {
      // Requests and ticks drain first (their commits still wake the relay); then the relay finishes its batch.
      close: async (timeoutMs?: number) => {
        const drained = await server.close(timeoutMs);
        await steps.stop();
        await relay.stop();
        return drained;
      },
    };
  },
  stop: () => disconnect(prisma),
});
