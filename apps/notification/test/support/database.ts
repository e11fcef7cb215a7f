import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '@lifeline/db';

// The stack script serves this; set DATABASE_ADMIN_URL to point the tests elsewhere.
export const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres:lifeline@127.0.0.1:25432/lifeline';
const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'prisma', 'notification', 'migrations');

// What the migrate CLI creates before it runs the migrations; the app connects as this role, never as the superuser.
const APP_ROLE = 'notification_app';
const APP_PASSWORD = 'notification-dev-password';

export function appUrl(): string {
  const url = new URL(adminUrl);
  url.username = APP_ROLE;
  url.password = APP_PASSWORD;
  return url.toString();
}

export async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function ensureAppRole(): Promise<void> {
  await admin(async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    if (rowCount) return;
    try {
      await client.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`);
    } catch (err) {
      // Test files run as parallel processes: another one may have created it a moment ago.
      const code = (err as { code?: string }).code;
      if (code !== '42710' && code !== '23505') throw err;
    }
  });
}

/** A fresh schema no other test process uses, migrated the way the migrate CLI does it. */
export async function createTestSchema(label: string): Promise<string> {
  await ensureAppRole();
  const schema = `t_notification_${label}_${randomBytes(4).toString('hex')}`;
  await migrate({ databaseUrl: adminUrl, migrationsDir, schema });
  return schema;
}

export async function dropSchema(schema: string): Promise<void> {
  await admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
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
