import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The monorepo root, found from this file so scripts work from any working directory. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function fromRoot(...parts: string[]): string {
  return path.join(repoRoot, ...parts);
}
