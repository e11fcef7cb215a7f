export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

export interface Storable {
  value: JsonValue;
  /** A U+0000 was replaced (Postgres text and jsonb cannot hold it). */
  nulReplaced: boolean;
  /** A lone UTF-16 surrogate was replaced (jsonb refuses it, and UTF-8 cannot carry it unchanged). */
  invalidUnicodeReplaced: boolean;
}

/**
 * A payload Postgres cannot store would fail every insert and be redelivered forever, and one that the
 * database stores differently from what was hashed would break its own hash chain. Both offenders,
 * U+0000 and lone surrogates, are replaced with U+FFFD (in values and keys) and the caller records that.
 */
export function storable(input: unknown): Storable {
  let nulReplaced = false;
  let invalidUnicodeReplaced = false;
  const text = (s: string): string => {
    let out = s;
    if (out.includes('\u0000')) {
      nulReplaced = true;
      out = out.replaceAll('\u0000', '\uFFFD');
    }
    const wellFormed = out.replace(LONE_SURROGATE, '\uFFFD');
    if (wellFormed !== out) {
      invalidUnicodeReplaced = true;
      out = wellFormed;
    }
    return out;
  };
  const clean = (v: unknown): JsonValue => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v === 'boolean') return v;
    // NaN and Infinity have no JSON form; parsed CloudEvent data never holds them.
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (Array.isArray(v)) return v.map(clean);
    if (typeof v === 'object') {
      const out: { [key: string]: JsonValue } = {};
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue;
        out[text(key)] = clean(item);
      }
      return out;
    }
    // undefined, functions, bigints: not JSON; parsed CloudEvent data never holds them.
    return null;
  };
  const value = clean(input);
  return { value, nulReplaced, invalidUnicodeReplaced };
}

export function isJsonObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
