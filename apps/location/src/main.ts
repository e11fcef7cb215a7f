import { Redis } from 'ioredis';
import { configOrExit, createLogger, createMetrics, daprClientFromConfig, runService, startServer } from '@lifeline/kit';
import { disconnect, prismaFromConfig } from '@lifeline/db';
import { createApp } from './app.ts';
import { loadLocationConfig } from './config.ts';
import { PrismaClient } from './generated/prisma/client.ts';

const config = configOrExit('location', () => loadLocationConfig());
const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
const metrics = createMetrics({ appId: config.APP_ID });
const dapr = daprClientFromConfig(config, { metrics, logger });
const prisma = prismaFromConfig(PrismaClient, config, logger);
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));

await runService({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    await redis.connect();
    const { app, relay } = createApp({ config, prisma, dapr, redis, logger, metrics });
    const server = await startServer(app, config.APP_PORT);
    relay.start();
    return {
      // Requests drain first (their commits still wake the relay); then the relay finishes its batch.
      close: async (timeoutMs?: number) => {
        const drained = await server.close(timeoutMs);
        await relay.stop();
        return drained;
      },
    };
  },
  stop: async () => {
    await disconnect(prisma);
    await redis.quit();
  },
});
