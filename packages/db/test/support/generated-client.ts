import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fixtureDir } from './database.ts';

const generatedDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');
const stampFile = join(generatedDir, 'prisma', '.schema-sha256');
const lockDir = join(generatedDir, '.lock');

/**
 * Generates the fixture's Prisma client into test/generated/prisma unless an up-to-date one is there.
 * Test files run as parallel processes, so a directory lock keeps two of them from generating at once.
 */
export async function ensureGeneratedClient(): Promise<void> {
  const wanted = createHash('sha256')
    .update(await readFile(join(fixtureDir, 'schema.prisma')))
    .digest('hex');
  if ((await readFile(stampFile, 'utf8').catch(() => '')) === wanted) return;

  await mkdir(generatedDir, { recursive: true });
  await acquire();
  try {
    if ((await readFile(stampFile, 'utf8').catch(() => '')) === wanted) return;
    const prismaCli = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build', 'index.js');
    await promisify(execFile)(
      process.execPath,
      [prismaCli, 'generate', '--config', join(fixtureDir, 'prisma.config.ts')],
      // Offline generate: the CLI only needs the schema-engine path to exist, it does not run it here.
      { env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true' } },
    );
    await writeFile(stampFile, wanted);
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function acquire(): Promise<void> {
  for (;;) {
    try {
      await mkdir(lockDir);
      return;
    } catch {
      // A lock older than a minute belongs to a crashed run.
      const age = Date.now() - (await stat(lockDir).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 60_000) await rm(lockDir, { recursive: true, force: true });
      await sleep(100);
    }
  }
}
