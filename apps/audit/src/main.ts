import { configOrExit, createLogger, createMetrics, daprClientFromConfig, runService, startServer } from '@lifeline/kit';
import { disconnect, prismaFromConfig } from '@lifeline/db';
import { createApp } from './app.ts';
import { loadAuditConfig } from './config.ts';
import { ensureAuditPartitions } from './data/storage-maintenance.ts';
import { PrismaClient } from './generated/prisma/client.ts';

const config = configOrExit('audit', () => loadAuditConfig());
const logger = createLogger({ appId: config.APP_ID, level: config.LOG_LEVEL });
const metrics = createMetrics({ appId: config.APP_ID });
const dapr = daprClientFromConfig(config, { metrics, logger });
const prisma = prismaFromConfig(PrismaClient, config, logger);

await runService({
  logger,
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  start: async () => {
    // A long-running instance would otherwise outlive the partitions the migration made; events past them
    // still land safely in the default partition, so a database that is down at start is not fatal here.
    try {
      const created = await ensureAuditPartitions(prisma, config.PARTITION_MONTHS_AHEAD);
      logger.info({ created, monthsAhead: config.PARTITION_MONTHS_AHEAD }, 'audit partitions ensured');
    } catch (err) {
      logger.warn({ err }, 'could not ensure audit partitions at start; events outside them go to the default partition');
    }
    const { app } = createApp({ config, prisma, dapr, logger, metrics });
    return startServer(app, config.APP_PORT);
  },
  stop: () => disconnect(prisma),
});
