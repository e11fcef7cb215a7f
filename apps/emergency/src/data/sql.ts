import type pg from 'pg';
import { PoolSql, rawSql, TransactionTimeoutError, type TransactionalSqlClient } from '@lifeline/db';
import { serviceUnavailable } from '@lifeline/kit';
import { Prisma } from '../generated/prisma/client.ts';

type Pool = PoolSql['pool'];
type PoolClient = pg.PoolClient;

/**
 * What the repositories run: tagged-template raw SQL (Prisma.sql fragments such as EMERGENCY_COLUMNS nest
 * in it) and the few `$queryRawUnsafe` texts, as on a Prisma client, but straight on node-postgres. Rows
 * come as node-postgres types them, so queries cast int8 and numeric to what they return.
 */
export interface Sql {
  $queryRaw<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(text: string, ...values: unknown[]): Promise<T>;
}

export interface TransactionOptions {
  /** Past this the connection is closed, which rolls back whatever the work is still doing. */
  timeout?: number;
  /** How long to wait for a pooled connection before answering 503 (the pool is saturated); default: the pool's DB_CONNECTION_WAIT_MS. */
  maxWait?: number;
  isolationLevel?: 'ReadCommitted' | 'RepeatableRead' | 'Serializable';
}

export interface SqlPool extends Sql {
  $transaction<R>(work: (tx: Sql) => Promise<R>, options?: TransactionOptions): Promise<R>;
}

const TRANSACTION_TIMEOUT_MS = 15_000;
const MAX_WAIT_MS = 5_000;
/** Seconds a client is asked to wait before raising again when the pool is saturated. */
export const OVERLOAD_RETRY_AFTER_S = 1;

const ISOLATION: Record<NonNullable<TransactionOptions['isolationLevel']>, string> = {
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

interface Queryable {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

function sqlOn(target: Queryable): Sql {
  return {
    async $queryRaw<T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T> {
      const q = Prisma.sql(strings, ...(values as Prisma.Sql[]));
      return (await target.query(q.text, q.values)).rows as T;
    },
    async $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number> {
      const q = Prisma.sql(strings, ...(values as Prisma.Sql[]));
      return (await target.query(q.text, q.values)).rowCount ?? 0;
    },
    async $queryRawUnsafe<T>(text: string, ...values: unknown[]): Promise<T> {
      return (await target.query(text, values)).rows as T;
    },
  };
}

/** The pool's answer to "too busy": a 503 the error middleware renders as problem+json, never a 500. */
export function overloaded(waitedMs: number): Error {
  return serviceUnavailable(`The emergency service is saturated (no database connection within ${waitedMs} ms). Raise again in ${OVERLOAD_RETRY_AFTER_S} s: nothing was recorded.`, {
    type: 'overloaded',
    headers: { 'Retry-After': String(OVERLOAD_RETRY_AFTER_S) },
  });
}

const POOL_TIMEOUT = /timeout exceeded when trying to connect/;

/** A pooled connection within `maxWaitMs`, or the 503; a connection that arrives after the wait goes back at once. */
async function connect(pool: Pool, maxWaitMs: number): Promise<PoolClient> {
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  const pending = pool.connect();
  const waited = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      gaveUp = true;
      reject(overloaded(maxWaitMs));
    }, maxWaitMs);
  });
  try {
    return await Promise.race([pending, waited]);
  } catch (err) {
    if (gaveUp) pending.then((c) => c.release(), () => undefined);
    // node-postgres' own connectionTimeoutMillis: the same saturation, said the same way.
    if (err instanceof Error && POOL_TIMEOUT.test(err.message)) throw overloaded(maxWaitMs);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The app's database access: every query and transaction goes straight to the pool the Prisma client was
 * made with (createPrismaClient). Prisma's interactive transactions sent each statement through its query
 * compiler and held the connection "idle in transaction" in between; at 50 raises/s they held the pool.
 */
export class PoolDb implements SqlPool {
  readonly #pool: Pool;
  readonly #maxWaitMs: number;

  constructor(pool: Pool, maxWaitMs = MAX_WAIT_MS) {
    this.#pool = pool;
    this.#maxWaitMs = maxWaitMs;
  }

  /** The pool under a client made by createPrismaClient. */
  static of(prisma: TransactionalSqlClient, maxWaitMs?: number): PoolDb {
    const raw = rawSql(prisma);
    if (!(raw instanceof PoolSql)) throw new Error('the Prisma client was not made by createPrismaClient: its pool is unknown');
    return new PoolDb(raw.pool, maxWaitMs);
  }

  // A statement outside a transaction takes its connection the same way: within DB_CONNECTION_WAIT_MS, or 503.
  $queryRaw<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T> {
    return this.#onConnection((sql) => sql.$queryRaw<T>(strings, ...values));
  }

  $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number> {
    return this.#onConnection((sql) => sql.$executeRaw(strings, ...values));
  }

  $queryRawUnsafe<T = unknown>(text: string, ...values: unknown[]): Promise<T> {
    return this.#onConnection((sql) => sql.$queryRawUnsafe<T>(text, ...values));
  }

  async #onConnection<R>(statement: (sql: Sql) => Promise<R>): Promise<R> {
    const client = await connect(this.#pool, this.#maxWaitMs);
    let failed: Error | undefined;
    try {
      return await statement(sqlOn(client));
    } catch (err) {
      // A broken connection goes, not back to the pool; an SQL error leaves it usable.
      if (err instanceof Error && !('code' in err)) failed = err;
      throw err;
    } finally {
      client.release(failed);
    }
  }

  /** BEGIN … COMMIT on one connection; any error rolls back. The work must await nothing but its SQL. */
  async $transaction<R>(work: (tx: Sql) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    const timeoutMs = options.timeout ?? TRANSACTION_TIMEOUT_MS;
    const client = await connect(this.#pool, options.maxWait ?? this.#maxWaitMs);
    let expired = false;
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      client.release(err);
    };
    const timer = setTimeout(() => {
      expired = true;
      release(new TransactionTimeoutError(timeoutMs));
    }, timeoutMs);
    try {
      await client.query(options.isolationLevel === undefined ? 'BEGIN' : `BEGIN ISOLATION LEVEL ${ISOLATION[options.isolationLevel]}`);
      const result = await work(sqlOn(client));
      if (expired) throw new TransactionTimeoutError(timeoutMs);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!expired) await client.query('ROLLBACK').catch(() => undefined);
      throw expired ? new TransactionTimeoutError(timeoutMs) : err;
    } finally {
      clearTimeout(timer);
      release();
    }
  }
}
