import { admin, testAppDatabase } from '@lifeline/db/testing';

export { admin, dropSchema } from '@lifeline/db/testing';

const notificationDatabase = testAppDatabase('notification');

/** The app connects as notification_app, never as the superuser. */
export function appUrl(): string {
  return notificationDatabase.url();
}

/** A fresh schema no other test process uses, migrated the way the migrate CLI does it. */
export function createTestSchema(label: string): Promise<string> {
  return notificationDatabase.createSchema(label);
}

export async function truncateAll(schema: string): Promise<void> {
  await admin((client) => client.query(`TRUNCATE "${schema}".deliveries, "${schema}".preferences, "${schema}".outbox`));
}

export interface DeliveryRow {
  id: string;
  cause_event_id: string;
  user_id: string;
  channel: string;
  category: string;
  priority: string;
  status: string;
  reason: string | null;
  attempts: number;
  provider_message_id: string | null;
  last_error: string | null;
  fallback_for: string | null;
  content: { kind: string; title: string; body: string; data: Record<string, string> };
}

export async function deliveryRows(schema: string, where = 'true', params: unknown[] = []): Promise<DeliveryRow[]> {
  const { rows } = await admin((client) => client.query<DeliveryRow>(`SELECT * FROM "${schema}".deliveries WHERE ${where} ORDER BY created_at, channel`, params));
  return rows;
}

export async function outboxEvents(schema: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const { rows } = await admin((client) => client.query<{ payload: { type: string; data: Record<string, unknown> } }>(`SELECT payload FROM "${schema}".outbox ORDER BY seq`));
  return rows.map((r) => r.payload);
}

/** Everything a request could have written; a refused request must leave it as it was. */
export async function snapshot(schema: string): Promise<unknown> {
  return admin(async (client) => ({
    preferences: (await client.query(`SELECT * FROM "${schema}".preferences ORDER BY user_id`)).rows,
    deliveries: (await client.query(`SELECT * FROM "${schema}".deliveries ORDER BY id`)).rows,
    outbox: (await client.query(`SELECT id FROM "${schema}".outbox ORDER BY seq`)).rows,
  }));
}
