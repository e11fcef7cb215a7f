import pg from 'pg';
import { admin, storageDatabase, testAppDatabase, withClient, type StorageEngine } from '@lifeline/db/testing';

export { admin, adminUrl, dropSchema, storageDatabase, type StorageEngine } from '@lifeline/db/testing';

const locationDatabase = testAppDatabase('location');

/** The app connects as location_app, never as the superuser. */
export function appUrl(): string {
  return locationDatabase.url();
}

/** A fresh schema no other test process uses, migrated the way the migrate CLI does it. */
export function createTestSchema(label: string): Promise<string> {
  return locationDatabase.createSchema(label);
}

export interface StorageSchema {
  schema: string;
  /** The app role's URL for the database the schema is in (the app's DATABASE_URL). */
  appUrl: string;
  /** As the superuser, in that database (names are not schema-qualified for you). */
  admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/** A fresh schema in the database of one storage path (storageDatabase: TimescaleDB, or lifeline.storage = 'native'). */
export async function createStorageSchema(label: string, engine: StorageEngine): Promise<StorageSchema> {
  const database = testAppDatabase('location', { adminUrl: (await storageDatabase(engine)).adminUrl });
  const schema = await database.createSchema(label);
  return {
    schema,
    appUrl: database.url(),
    admin: (work) => withClient(database.adminUrl, work),
    drop: () => database.dropSchema(schema),
  };
}

export interface OutboxRow {
  id: string;
  type: string;
  payload: { id: string; type: string; subject: string; schemaVersion: number; data: Record<string, unknown> };
}

export async function outboxRows(schema: string): Promise<OutboxRow[]> {
  const { rows } = await admin((c) => c.query<OutboxRow>(`SELECT id::text, type, payload FROM "${schema}".outbox ORDER BY seq`));
  return rows;
}

/** Everything a request could have written; a refused request must leave all of it as it was. */
export async function snapshot(schema: string): Promise<{ positions: number; fences: unknown[]; states: unknown[]; outbox: number }> {
  return admin(async (c) => {
    const positions = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".positions`);
    const fences = await c.query(`SELECT * FROM "${schema}".geofences ORDER BY id`);
    const states = await c.query(`SELECT * FROM "${schema}".geofence_states ORDER BY geofence_id`);
    const outbox = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".outbox`);
    return { positions: positions.rows[0]?.n ?? 0, fences: fences.rows, states: states.rows, outbox: outbox.rows[0]?.n ?? 0 };
  });
}

export async function truncateAll(schema: string, asAdmin: typeof admin = admin): Promise<void> {
  await asAdmin(async (c) => {
    await c.query(`TRUNCATE "${schema}".positions, "${schema}".geofences, "${schema}".geofence_states, "${schema}".outbox, "${schema}".set_aside CASCADE`);
    await c.query(`UPDATE "${schema}".trail_progress SET received_up_to = '1970-01-01 00:00:00+00'`);
    // The trail is a table on native storage and a continuous aggregate on TimescaleDB, whose TRUNCATE
    // empties what it materialized (emptying positions does not).
    await c.query(`TRUNCATE "${schema}".trail`);
  });
}
