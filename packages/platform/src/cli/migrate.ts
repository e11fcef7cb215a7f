// npm run migrate: roles, schemas and migrations of every app, against the local stack by default.
import { adminDatabaseUrl } from '../stack-env.ts';
import { migrateAll } from '../migrate-all.ts';

const url = process.env.DATABASE_ADMIN_URL ?? adminDatabaseUrl();
try {
  await migrateAll(url);
} catch (err) {
  console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
