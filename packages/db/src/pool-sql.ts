import type pg from 'pg';
import type { SqlClient, TransactionalSqlClient } from './outbox/outbox-repository.ts';

/** `a ${x} b ${y}` becomes `a $1 b $2`: values always travel as bind parameters, never as SQL text. */
function toText(strings: TemplateStringsArray): string {
  let text = strings[0] ?? '';
  for (let i = 1; i < strings.length; i++) text += `$${i}${strings[i] ?? ''}`;
  return text;
}

interface Queryable {
  query(text: string, values: unknown[]): Promise<pg.QueryResult>;
}

function sqlOn(target: Queryable): SqlClient {
  return {
    async $queryRaw<T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T> {
      return (await target.query(toText(strings), values)).rows as T;
    },
    async $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number> {
      return (await target.query(toText(strings), values)).rowCount ?? 0;
    },
  };
}

export class TransactionTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`transaction exceeded its ${timeoutMs} ms budget and was rolled back`);
    this.name = 'TransactionTimeoutError';
  }
}

/**
 * The tagged-template raw SQL of a Prisma client, straight on node-postgres: for the few statements on a hot
 * path (the task create, the outbox relay) where Prisma's query engine cost more CPU than the database did.
 * Result rows come as node-postgres types them (int8 and numeric as strings, unlike Prisma), so queries cast
 * what they return.
 */
export class PoolSql implements TransactionalSqlClient {
  readonly #raw: SqlClient;

  constructor(readonly pool: pg.Pool) {
    this.#raw = sqlOn(pool);
  }

  $queryRaw<T>(strings: TemplateStringsArray, ...values: unknown[]): PromiseLike<T> {
    return this.#raw.$queryRaw<T>(strings, ...values);
  }

  $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): PromiseLike<number> {
    return this.#raw.$executeRaw(strings, ...values);
  }

  /**
   * One connection, BEGIN … COMMIT; any error rolls back. Past `timeout` the connection is closed, which
   * makes the server roll back whatever the callback is still doing, as Prisma's interactive transactions do.
   */
  async $transaction<R>(fn: (tx: SqlClient) => Promise<R>, options: { timeout?: number } = {}): Promise<R> {
    const client = await this.pool.connect();
    let expired = false;
    let released = false;
    const release = (err?: Error) => {
      if (released) return;
      released = true;
      client.release(err);
    };
    const timer =
      options.timeout === undefined
        ? undefined
        : setTimeout(() => {
            expired = true;
            release(new TransactionTimeoutError(options.timeout ?? 0));
          }, options.timeout);
    try {
      await client.query('BEGIN');
      const result = await fn(sqlOn(client));
      if (expired) throw new TransactionTimeoutError(options.timeout ?? 0);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!expired) await client.query('ROLLBACK').catch(() => undefined);
      throw expired ? new TransactionTimeoutError(options.timeout ?? 0) : err;
    } finally {
      clearTimeout(timer);
      release();
    }
  }
}
