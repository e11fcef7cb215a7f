// Paths are relative to this file. No datasource is needed to generate; migrations are applied by
// @lifeline/db's runner (scripts/migrate.ts), not by the Prisma CLI.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: './schema.prisma',
  migrations: { path: './migrations' },
});
