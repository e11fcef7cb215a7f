import { z } from 'zod';
import { envInt } from '@lifeline/kit';
import { createPrismaClient, databaseReady, type PrismaClientClass } from './prisma.ts';

/** The database settings every app that owns data reads from its environment, validated at start. */
export function databaseConfigShape(defaultSchema: string) {
  return {
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection URL')
      // createPgAdapter sets search_path through the connection options; an options= parameter would replace it.
      .refine((url) => !/[?&]options=/i.test(url), 'must not carry an options= parameter (the app sets search_path itself)'),
    DB_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lowercase Postgres schema name')
      .default(defaultSchema),
    DB_POOL_MAX: envInt(1, 200).default(10),
  };
}

export interface DatabaseConfig {
  APP_ID: string;
  DATABASE_URL: string;
  DB_SCHEMA: string;
  DB_POOL_MAX: number;
}

/** The app's Prisma client on its own schema and a bounded pool, as every main.ts builds it. */
export function prismaFromConfig<Client>(
  PrismaClient: PrismaClientClass<Client>,
  config: DatabaseConfig,
  logger: { warn(obj: object, msg: string): void },
): Client {
  return createPrismaClient(PrismaClient, {
    connectionString: config.DATABASE_URL,
    schema: config.DB_SCHEMA,
    poolMax: config.DB_POOL_MAX,
    applicationName: config.APP_ID,
    onPoolError: (err) => logger.warn({ err }, 'idle database connection failed; the pool replaces it'),
  });
}

/** /health/ready's database check: a trivial query within the check's timeout. */
export function databaseReadinessCheck(client: Parameters<typeof databaseReady>[0]) {
  return {
    name: 'database',
    check: async () => {
      if (!(await databaseReady(client))) throw new Error('database not reachable');
    },
  };
}
