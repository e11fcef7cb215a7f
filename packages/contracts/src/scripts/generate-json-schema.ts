import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../json-schema.ts';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schemasDir = join(packageRoot, 'schemas');

// Start from an empty folder so a removed event type does not leave a stale schema behind.
await rm(schemasDir, { recursive: true, force: true });
await mkdir(schemasDir, { recursive: true });
const files = generatedFiles();
for (const [relativePath, content] of files) {
  await writeFile(join(packageRoot, relativePath), content);
}
console.log(`wrote ${files.size} files (${(await readdir(schemasDir)).length} JSON Schemas + asyncapi.json)`);
