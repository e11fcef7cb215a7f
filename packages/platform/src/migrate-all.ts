import { existsSync, readdirSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '@lifeline/db';
import { fromRoot } from './repo-root.ts';

export interface AppDatabase {
  app: string;
  /** The app's own Postgres schema; its migrations and _prisma_migrations live there. */
  schema: string;
  /** The LOGIN role the app connects as; migrations grant it exactly what the app may do. */
  role: string;
  migrationsDir: string;
}

/** Every app that owns data has prisma/<app>/migrations. */
export function appDatabases(prismaDir = fromRoot('prisma')): AppDatabase[] {
  return readdirSync(prismaDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && existsSync(`${prismaDir}/${d.name}/migrations`))
    .map((d) => ({ app: d.name, schema: d.name, role: `${d.name}_app`, migrationsDir: `${prismaDir}/${d.name}/migrations` }))
    .sort((a, b) => a.app.localeCompare(b.app));
}

/** Dev default; deployments pass <APP>_DB_PASSWORD (the chart takes it from a Kubernetes secret). */
export function appDbPassword(app: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[`${app.toUpperCase()}_DB_PASSWORD`] ?? `${app}-dev-password`;
}

export function appDatabaseUrl(adminUrl: string, db: AppDatabase, password = appDbPassword(db.app)): string {
  const url = new URL(adminUrl);
  url.username = db.role;
  url.password = password;
  return url.toString();
}

/**
 * Roles and schemas come before migrations because migrations GRANT to the role. The password is
 * (re)set every run so a rotated secret takes effect on the next deploy.
 */
async function ensureRoleAndSchema(adminUrl: string, db: AppDatabase, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const role = client.escapeIdentifier(db.role);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [db.role]);
    const verb = exists.rowCount ? 'ALTER' : 'CREATE';
    await client.query(`${verb} ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(db.schema)}`);
  } finally {
    await client.end();
  }
}

export interface MigrateAllResult {
  app: string;
  applied: string[];
  alreadyApplied: string[];
}

export async function migrateAll(adminUrl: string, log: (line: string) => void = console.log): Promise<MigrateAllResult[]> {
  const results: MigrateAllResult[] = [];
  for (const db of appDatabases()) {
    await ensureRoleAndSchema(adminUrl, db, appDbPassword(db.app));
    const r = await migrate({ databaseUrl: adminUrl, migrationsDir: db.migrationsDir, schema: db.schema });
    log(`${db.app}: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`);
    results.push({ app: db.app, applied: r.applied, alreadyApplied: r.alreadyApplied });
  }
  return results;
}
