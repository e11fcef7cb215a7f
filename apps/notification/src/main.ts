import { Redis } from 'ioredis';
import { configOrExit, createLogger, createMetrics, daprClientFromConfig, runService, startServer } from '@lifeline/kit';
import { disconnect, prismaFromConfig } from '@lifeline/db';
import { createApp } from './app.ts';
import { loadNotificationConfig } from './config.ts';
import { PrismaClient } from './generated/prisma/client.ts';

const config = configOrExit('notification', () => loadNotificationConfig());
const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
const metrics = createMetrics({ appId: config.APP_ID });
const dapr = daprClientFromConfig(config, { metrics, logger, timeoutMs: config.SEND_TIMEOUT_MS });
const prisma = prismaFromConfig(PrismaClient, config, logger);
// Commands wait for a reconnect instead of failing at once; a handler that still fails answers RETRY.
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));

await runService({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    await redis.connect();
    const { app, relay, email, attachLiveSockets } = createApp({ config, prisma, dapr, redis, logger, metrics });
    const server = await startServer(app, config.APP_PORT);
    const live = attachLiveSockets(server.server);
    relay.start();
    return {
      // Sockets first (clients reconnect to another replica), then requests and handlers drain (their
      // commits still wake the relay), then the relay finishes its batch.
      close: async (timeoutMs?: number) => {
        await live.close();
        const drained = await server.close(timeoutMs);
        await relay.stop();
        email.close();
        return drained;
      },
    };
  },
  stop: async () => {
    await disconnect(prisma);
    await redis.quit();
  },
});
