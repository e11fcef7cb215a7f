import type pg from 'pg';

/** How one event's email delivery ended, read from the app's own delivery record. */
export interface EmailOutcome {
  causeEventId: string;
  status: string;
  reason: string | null;
  /** deliveries.sent_at: the app's clock right after the SMTP server accepted the mail. */
  sentAtMs: number | null;
}

/** The notification app's tables, read (and the run's rows removed) as the database admin. */
export class NotificationRecords {
  readonly #db: pg.Client;
  readonly #deliveries: string;
  readonly #preferences: string;
  readonly #outbox: string;

  constructor(db: pg.Client, schema: string) {
    const table = (name: string) => `${db.escapeIdentifier(schema)}.${db.escapeIdentifier(name)}`;
    this.#db = db;
    this.#deliveries = table('deliveries');
    this.#preferences = table('preferences');
    this.#outbox = table('outbox');
  }

  /** Email deliveries of these users that reached a final state (sent, failed or suppressed). */
  async finishedEmails(userIds: readonly string[]): Promise<number> {
    const r = await this.#db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.#deliveries} WHERE channel = 'email' AND status <> 'queued' AND user_id = ANY($1::text[])`,
      [userIds],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  async emailOutcomes(userIds: readonly string[]): Promise<EmailOutcome[]> {
    const r = await this.#db.query<{ cause_event_id: string; status: string; reason: string | null; sent_ms: string | null }>(
      `SELECT cause_event_id, status, reason, (EXTRACT(EPOCH FROM sent_at) * 1000)::text AS sent_ms
       FROM ${this.#deliveries} WHERE channel = 'email' AND user_id = ANY($1::text[])`,
      [userIds],
    );
    return r.rows.map((row) => ({
      causeEventId: row.cause_event_id,
      status: row.status,
      reason: row.reason,
      sentAtMs: row.sent_ms === null ? null : Number(row.sent_ms),
    }));
  }

  /** Events the relay has not published yet; a phase starts once the previous one's are out. */
  async outboxBacklog(): Promise<number> {
    const r = await this.#db.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.#outbox} WHERE published_at IS NULL`);
    return Number(r.rows[0]?.n ?? 0);
  }

  /** Milliseconds since the app last created a delivery for anyone (Infinity when it never did), on the database clock. */
  async msSinceLastDelivery(): Promise<number> {
    const r = await this.#db.query<{ ms: string | null }>(
      `SELECT (EXTRACT(EPOCH FROM clock_timestamp() - max(created_at)) * 1000)::text AS ms FROM ${this.#deliveries}`,
    );
    const ms = r.rows[0]?.ms;
    return ms === null || ms === undefined ? Number.POSITIVE_INFINITY : Number(ms);
  }

  /** Removes the preferences and deliveries of users whose ids start with `prefix-`, so repeated runs do not grow the tables. */
  async removeUsers(prefix: string): Promise<void> {
    const pattern = `${prefix.replace(/[\\%_]/g, '\\$&')}-%`;
    await this.#db.query(`DELETE FROM ${this.#deliveries} WHERE user_id LIKE $1`, [pattern]);
    await this.#db.query(`DELETE FROM ${this.#preferences} WHERE user_id LIKE $1`, [pattern]);
  }
}
