import type { SqlClient, TransactionalSqlClient } from '@lifeline/db';
import type { PrismaClient } from '../generated/prisma/client.ts';

export type { PrismaClient };

/**
 * Repositories speak raw SQL (positions arrive by the thousand; Prisma's engine would cost more than the
 * database does), on the pool or inside a transaction the use case opened.
 */
export type Sql = SqlClient;
export type Pool = TransactionalSqlClient;
