import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  ChecksumMismatchError,
  checksumOf,
  FailedMigrationPendingError,
  migrate,
  MigrationFailedError,
  resolveMigration,
} from '../src/index.ts';
import { adminUrl, admin, copyFixtureMigrations, dropSchema, history, tablesIn, uniqueSchema } from './support/database.ts';

const fixtureNames = ['20250101000000_init', '20250102000000_add_done', '20250103000000_processed_events'];
const schemas: string[] = [];
const dirs: string[] = [];

async function setup(label: string) {
  const schema = uniqueSchema(label);
  const dir = await copyFixtureMigrations();
  schemas.push(schema);
  dirs.push(dir);
  return { schema, dir, options: { databaseUrl: adminUrl, migrationsDir: dir, schema } };
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

after(async () => {
  await Promise.all(schemas.map(dropSchema));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('migrate', () => {
  it('when run on an empty schema, then it applies every migration in folder order and records each like Prisma', async () => {
    const { schema, dir, options } = await setup('order');
    const result = await migrate(options);

    assert.deepEqual(result.applied, fixtureNames);
    assert.deepEqual(await tablesIn(schema), ['_prisma_migrations', 'notes', 'processed_events']);
    const rows = await history(schema);
    assert.deepEqual(rows.map((row) => row.migration_name), fixtureNames);
    for (const row of rows) {
      const file = await readFile(join(dir, row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, checksumOf(file));
      assert.match(row.checksum, /^[0-9a-f]{64}$/);
      assert.match(row.id, /^[0-9a-f-]{36}$/);
      assert.equal(row.applied_steps_count, 1);
      assert.equal(row.logs, null);
      assert.equal(row.rolled_back_at, null);
      assert.ok(row.finished_at && row.finished_at >= row.started_at);
    }
  });

  it('when the history table is inspected, then it has the exact columns prisma migrate deploy creates', async () => {
    const { schema, options } = await setup('ddl');
    await migrate(options);
    const columns = await admin(async (client) => {
      const result = await client.query<{
        column_name: string;
        data_type: string;
        character_maximum_length: number | null;
        is_nullable: 'YES' | 'NO';
        column_default: string | null;
      }>(
        `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
           FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations'
          ORDER BY ordinal_position`,
        [schema],
      );
      return result.rows.map((c) => `${c.column_name} ${c.data_type}${c.character_maximum_length ? `(${c.character_maximum_length})` : ''} ${c.is_nullable === 'YES' ? 'null' : 'not null'}${c.column_default ? ` default ${c.column_default}` : ''}`);
    });
    assert.deepEqual(columns, [
      'id character varying(36) not null',
      'checksum character varying(64) not null',
      'finished_at timestamp with time zone null',
      'migration_name character varying(255) not null',
      'logs text null',
      'rolled_back_at timestamp with time zone null',
      'started_at timestamp with time zone not null default now()',
      'applied_steps_count integer not null default 0',
    ]);
  });

  it('when run again, then nothing new is applied and the history is unchanged', async () => {
    const { schema, options } = await setup('rerun');
    await migrate(options);
    const before = await history(schema);
    const second = await migrate(options);
    assert.deepEqual(second, { applied: [], alreadyApplied: fixtureNames });
    assert.deepEqual(await history(schema), before);
  });

  it('when a new migration is added later, then only that one is applied', async () => {
    const { schema, dir, options } = await setup('later');
    await migrate(options);
    await addMigration(dir, '20250104000000_add_tags', 'ALTER TABLE notes ADD COLUMN tags TEXT[] NOT NULL DEFAULT \'{}\';');
    const result = await migrate(options);
    assert.deepEqual(result.applied, ['20250104000000_add_tags']);
    assert.equal((await history(schema)).length, 4);
  });

  it('when an applied migration file was changed, then the runner refuses naming it and applies nothing new', async () => {
    const { schema, dir, options } = await setup('edited');
    await migrate(options);
    await writeFile(join(dir, '20250101000000_init', 'migration.sql'), '-- edited\nSELECT 1;\n');
    await addMigration(dir, '20250104000000_add_table', 'CREATE TABLE must_not_exist (id int);');

    await assert.rejects(migrate(options), (error: Error) => {
      assert.ok(error instanceof ChecksumMismatchError);
      assert.match(error.message, /"20250101000000_init" was modified after being applied/);
      return true;
    });
    assert.equal((await history(schema)).length, 3);
    assert.ok(!(await tablesIn(schema)).includes('must_not_exist'));
  });

  it('when a file only changed its line endings (CRLF checkout), then it is not treated as edited', async () => {
    const { dir, options } = await setup('crlf');
    await migrate(options);
    const file = join(dir, '20250101000000_init', 'migration.sql');
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll('\n', '\r\n'));
    assert.deepEqual((await migrate(options)).applied, []);
  });

  it('when a migration fails, then it is recorded as failed, its effects are rolled back and the error names it', async () => {
    const { schema, dir, options } = await setup('fail');
    await addMigration(
      dir,
      '20250104000000_broken',
      'CREATE TABLE half_done (id int);\nINSERT INTO no_such_table VALUES (1);\n',
    );
    await addMigration(dir, '20250105000000_after', 'CREATE TABLE after_broken (id int);');

    await assert.rejects(migrate(options), (error: Error) => {
      assert.ok(error instanceof MigrationFailedError);
      assert.equal(error.migration, '20250104000000_broken');
      assert.match(error.message, /no_such_table/);
      return true;
    });

    const rows = await history(schema);
    const failed = rows.find((row) => row.migration_name === '20250104000000_broken');
    assert.ok(failed);
    assert.equal(failed.finished_at, null);
    assert.equal(failed.rolled_back_at, null);
    assert.equal(failed.applied_steps_count, 0);
    assert.match(failed.logs ?? '', /relation "no_such_table" does not exist/);
    assert.match(failed.logs ?? '', /42P01/);
    assert.match(failed.logs ?? '', /at line 2/);
    const tables = await tablesIn(schema);
    assert.ok(!tables.includes('half_done'), 'the failed migration must leave no partial effect');
    assert.ok(!tables.includes('after_broken'), 'later migrations must not run');
  });

  it('when a failed migration is unresolved, then later runs refuse with a message saying how to resolve it', async () => {
    const { schema, dir, options } = await setup('blocked');
    await addMigration(dir, '20250104000000_broken', 'SELECT * FROM no_such_table;');
    await assert.rejects(migrate(options), MigrationFailedError);

    // Even after the file is fixed, the failed record blocks until someone resolves it.
    await writeFile(join(dir, '20250104000000_broken', 'migration.sql'), 'SELECT 1;');
    await assert.rejects(migrate(options), (error: Error) => {
      assert.ok(error instanceof FailedMigrationPendingError);
      assert.match(error.message, /"20250104000000_broken"/);
      assert.match(error.message, /P3009/);
      assert.match(error.message, /--resolve-rolled-back/);
      return true;
    });
    assert.equal((await history(schema)).length, 4);
  });

  it('when a failed migration is resolved as rolled back, then the next run re-applies it', async () => {
    const { schema, dir, options } = await setup('rolledback');
    await addMigration(dir, '20250104000000_broken', 'SELECT * FROM no_such_table;');
    await assert.rejects(migrate(options), MigrationFailedError);

    await writeFile(join(dir, '20250104000000_broken', 'migration.sql'), 'CREATE TABLE fixed (id int);');
    await resolveMigration({ ...options, migration: '20250104000000_broken', as: 'rolled-back' });
    assert.deepEqual((await migrate(options)).applied, ['20250104000000_broken']);

    const attempts = (await history(schema)).filter((row) => row.migration_name === '20250104000000_broken');
    assert.equal(attempts.length, 2);
    assert.ok(attempts[0]?.rolled_back_at);
    assert.ok(attempts[1]?.finished_at);
    assert.ok((await tablesIn(schema)).includes('fixed'));
  });

  it('when a failed migration is resolved as applied, then it is not run again and later ones proceed', async () => {
    const { schema, dir, options } = await setup('markapplied');
    await addMigration(dir, '20250104000000_broken', 'SELECT * FROM no_such_table;');
    await assert.rejects(migrate(options), MigrationFailedError);

    await resolveMigration({ ...options, migration: '20250104000000_broken', as: 'applied' });
    await addMigration(dir, '20250105000000_next', 'CREATE TABLE next_one (id int);');
    assert.deepEqual((await migrate(options)).applied, ['20250105000000_next']);
    const rows = (await history(schema)).filter((row) => row.migration_name === '20250104000000_broken');
    assert.equal(rows.filter((row) => row.finished_at && !row.rolled_back_at).length, 1);
  });

  it('when two runners start at the same time, then each migration is applied exactly once', async () => {
    const { schema, dir, options } = await setup('race');
    // Slow enough that, without the lock, both runners would be inside it at once.
    await addMigration(dir, '20250104000000_slow', 'SELECT pg_sleep(0.5);\nCREATE TABLE slow_done (id int);');

    const results = await Promise.all([migrate(options), migrate(options)]);
    const appliedCounts = results.map((result) => result.applied.length).sort();
    assert.deepEqual(appliedCounts, [0, 4]);
    const rows = await history(schema);
    assert.deepEqual(rows.map((row) => row.migration_name), [...fixtureNames, '20250104000000_slow']);
  });

  it('when a migration starts with the no-transaction marker, then it runs outside a transaction', async () => {
    const { schema, dir, options } = await setup('notx');
    await addMigration(
      dir,
      '20250104000000_concurrent_index',
      '-- lifeline:no-transaction\n-- CONCURRENTLY is refused inside a transaction block.\n' +
        'CREATE INDEX CONCURRENTLY notes_title_idx ON notes (title);\n' +
        "CREATE INDEX CONCURRENTLY notes_semicolon_idx ON notes (title) WHERE title <> ';';\n",
    );
    assert.deepEqual((await migrate(options)).applied.at(-1), '20250104000000_concurrent_index');
    const indexes = await admin(async (client) => {
      const result = await client.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'notes' ORDER BY indexname",
        [schema],
      );
      return result.rows.map((row) => row.indexname);
    });
    assert.deepEqual(indexes, ['notes_pkey', 'notes_semicolon_idx', 'notes_title_idx']);
    const row = (await history(schema)).at(-1);
    assert.ok(row?.finished_at);
  });

  it('when the same statement has no marker, then Postgres refuses it inside the migration transaction', async () => {
    const { dir, options } = await setup('txindex');
    await addMigration(dir, '20250104000000_concurrent_index', 'CREATE INDEX CONCURRENTLY notes_title_idx ON notes (title);');
    await assert.rejects(migrate(options), /cannot run inside a transaction block/);
  });

  it('when a no-transaction migration fails half-way, then the failure is recorded with the statement and blocks', async () => {
    const { schema, dir, options } = await setup('notxfail');
    await addMigration(
      dir,
      '20250104000000_partial',
      '-- lifeline:no-transaction\nCREATE TABLE first_part (id int);\nCREATE TABLE first_part (id int);\n',
    );
    await assert.rejects(migrate(options), MigrationFailedError);
    const failed = (await history(schema)).at(-1);
    assert.equal(failed?.finished_at, null);
    assert.match(failed?.logs ?? '', /statement 2 of 2/);
    assert.ok((await tablesIn(schema)).includes('first_part'), 'statements before the failure stay applied');
    await assert.rejects(migrate(options), FailedMigrationPendingError);
  });

  it('when each app migrates its own schema, then each keeps its own history', async () => {
    const a = await setup('app_a');
    const b = await setup('app_b');
    await migrate(a.options);
    await addMigration(b.dir, '20250104000000_only_b', 'CREATE TABLE only_b (id int);');
    await migrate(b.options);
    assert.equal((await history(a.schema)).length, 3);
    assert.equal((await history(b.schema)).length, 4);
    assert.ok(!(await tablesIn(a.schema)).includes('only_b'));
  });

  it('when the schema name is not a plain identifier, then it refuses before connecting', async () => {
    const { dir } = await setup('badname');
    await assert.rejects(
      migrate({ databaseUrl: adminUrl, migrationsDir: dir, schema: 'tasks"; DROP SCHEMA public; --' }),
      /invalid Postgres schema name/,
    );
  });

  it('when started through the CLI, then it migrates and a second run reports up to date', async () => {
    const { schema, dir } = await setup('cli');
    const cli = join(import.meta.dirname, '..', 'src', 'migrate', 'cli.ts');
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', cli, '--dir', dir, '--schema', schema, '--url', adminUrl]);
    const first = await run();
    assert.match(first.stdout, /applying 20250101000000_init/);
    const second = await run();
    assert.match(second.stdout, new RegExp(`schema "${schema}" is up to date`));
  });

  it('when the CLI meets an edited migration, then it exits non-zero with the refusal on stderr', async () => {
    const { schema, dir, options } = await setup('clierr');
    await migrate(options);
    await writeFile(join(dir, '20250102000000_add_done', 'migration.sql'), 'SELECT 2;');
    const cli = join(import.meta.dirname, '..', 'src', 'migrate', 'cli.ts');
    await assert.rejects(
      promisify(execFile)(process.execPath, ['--import', 'tsx', cli, '--dir', dir, '--schema', schema, '--url', adminUrl]),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr, /"20250102000000_add_done" was modified after being applied/);
        return true;
      },
    );
  });
});
