import { createHash } from 'node:crypto';

/** Same value `prisma migrate` stores: lowercase hex SHA-256 of the migration.sql bytes. */
export function checksumOf(script: Buffer | string): string {
  return createHash('sha256').update(script).digest('hex');
}

// Git may check a file out with CRLF on one machine and LF on another; like Prisma, such a
// checkout is not an edit.
export function matchesChecksum(script: string, recorded: string): boolean {
  return [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')].some(
    (variant) => checksumOf(variant) === recorded,
  );
}
