import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

export type { PrismaClient };

/** Repositories accept either the client or an interactive transaction, so use cases decide the boundary. */
export type Db = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;
