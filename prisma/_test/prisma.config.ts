// Fixture for @lifeline/db tests; apps follow the same pattern in prisma/<app>/prisma.config.ts.
// Paths are relative to this file. No datasource is needed to generate; migrations are applied by
// @lifeline/db's runner, not by the Prisma CLI.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: './schema.prisma',
  migrations: { path: './migrations' },
});
