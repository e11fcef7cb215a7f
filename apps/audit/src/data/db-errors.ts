/** The Postgres SQLSTATE behind an error from Prisma's pg adapter (or from pg itself), if there is one. */
export function sqlStateOf(err: unknown): string | undefined {
  const e = err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } }; code?: unknown } | null;
  const fromAdapter = e?.meta?.driverAdapterError?.cause?.originalCode;
  if (typeof fromAdapter === 'string') return fromAdapter;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
}

/**
 * Class 22 (data exception: a value out of range, an invalid encoding) and class 23 (a constraint the
 * row breaks): the same row fails the same way on every redelivery, unlike a lost connection or a timeout.
 */
export function isUnstorableData(err: unknown): boolean {
  const state = sqlStateOf(err);
  return state !== undefined && (state.startsWith('22') || state.startsWith('23'));
}
