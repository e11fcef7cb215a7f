export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Postgres text and jsonb cannot hold U+0000, so a payload carrying one would fail every insert and be
 * redelivered forever. It is replaced (U+FFFD, in values and keys) and the caller records that it was.
 */
export function withoutNul(input: unknown): { value: JsonValue; replaced: boolean } {
  let replaced = false;
  const clean = (v: unknown): JsonValue => {
    if (typeof v === 'string') {
      if (!v.includes('\u0000')) return v;
      replaced = true;
      return v.replaceAll('\u0000', '\uFFFD');
    }
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map(clean);
    if (typeof v === 'object') {
      const out: { [key: string]: JsonValue } = {};
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue;
        out[clean(key) as string] = clean(item);
      }
      return out;
    }
    // undefined, functions, bigints: not JSON; parsed CloudEvent data never holds them.
    return null;
  };
  const value = clean(input);
  return { value, replaced };
}

export function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
