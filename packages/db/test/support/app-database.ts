import { createPrismaClient, migrate } from '../../src/index.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { adminUrl, dropSchema, fixtureMigrations, uniqueSchema } from './database.ts';
import { ensureGeneratedClient } from './generated-client.ts';

export interface AppDatabase {
  schema: string;
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** A migrated fixture schema plus a generated client on it, the way an app wires itself at start. */
export async function openAppDatabase(label: string): Promise<AppDatabase> {
  await ensureGeneratedClient();
  // Imported only after generation: the module does not exist on a fresh checkout.
  const { PrismaClient } = await import('../generated/prisma/client.ts');
  const schema = uniqueSchema(label);
  await migrate({ databaseUrl: adminUrl, migrationsDir: fixtureMigrations, schema });
  const prisma = createPrismaClient(PrismaClient, { connectionString: adminUrl, schema, poolMax: 4 });
  return {
    schema,
    prisma,
    async close() {
      await prisma.$disconnect();
      await dropSchema(schema);
    },
  };
}
