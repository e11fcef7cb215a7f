import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checksumOf } from './checksum.ts';

export const NO_TRANSACTION_MARKER = '-- lifeline:no-transaction';

export interface LocalMigration {
  name: string;
  script: string;
  checksum: string;
  /** Set by the marker on the first line, for statements Postgres refuses inside a transaction. */
  noTransaction: boolean;
}

/** Prisma's folder format: `<dir>/<timestamp>_<name>/migration.sql`, applied in folder-name order. */
export async function readMigrations(dir: string): Promise<LocalMigration[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read migrations directory "${dir}": ${error.message}`);
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  return Promise.all(
    names.map(async (name) => {
      const file = join(dir, name, 'migration.sql');
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`migration "${name}" has no readable migration.sql (${error.code ?? error.message})`);
      });
      const script = bytes.toString('utf8');
      const firstLine = script.split('\n', 1)[0]?.trim() ?? '';
      return { name, script, checksum: checksumOf(bytes), noTransaction: firstLine === NO_TRANSACTION_MARKER };
    }),
  );
}
