import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Sql, SqlPool } from './sql.ts';

export type { PrismaClient, SqlPool };

/** Repositories accept the pool or a transaction on it, so use cases decide the boundary. */
export type Db = Sql;
export type Tx = Sql;
