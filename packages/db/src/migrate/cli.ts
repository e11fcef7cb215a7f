// Usage: tsx packages/db/src/migrate/cli.ts --dir prisma/tasks/migrations --schema tasks [--url <postgres url>]
//        [--resolve-rolled-back <migration> | --resolve-applied <migration>]
// --url falls back to DATABASE_URL.
import { parseArgs } from 'node:util';
import { MigrationError } from './errors.ts';
import { migrate } from './migrate.ts';
import { resolveMigration } from './resolve.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    schema: { type: 'string' },
    url: { type: 'string' },
    'lock-timeout-ms': { type: 'string' },
    'resolve-rolled-back': { type: 'string' },
    'resolve-applied': { type: 'string' },
  },
  strict: true,
});

const databaseUrl = values.url ?? process.env.DATABASE_URL;
if (!values.dir || !values.schema || !databaseUrl) {
  console.error('usage: cli.ts --dir <migrations dir> --schema <schema> [--url <postgres url> | env DATABASE_URL]');
  process.exit(2);
}
const common = {
  databaseUrl,
  schema: values.schema,
  migrationsDir: values.dir,
  ...(values['lock-timeout-ms'] ? { lockTimeoutMs: Number(values['lock-timeout-ms']) } : {}),
};

try {
  const rolledBack = values['resolve-rolled-back'];
  const applied = values['resolve-applied'];
  if (rolledBack) {
    await resolveMigration({ ...common, migration: rolledBack, as: 'rolled-back' });
    console.log(`marked "${rolledBack}" as rolled back in schema "${common.schema}"; it will be re-applied`);
  } else if (applied) {
    await resolveMigration({ ...common, migration: applied, as: 'applied' });
    console.log(`marked "${applied}" as applied in schema "${common.schema}"`);
  } else {
    await migrate({ ...common, log: (message) => console.log(message) });
  }
} catch (error) {
  console.error(error instanceof MigrationError ? `error: ${error.message}` : error);
  process.exit(1);
}
