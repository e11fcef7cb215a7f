import { z } from 'zod';

/**
 * Postgres cannot store U+0000 in text or jsonb, and a lone UTF-16 surrogate has no UTF-8 encoding: a
 * string holding either is accepted by JSON.parse but fails deep inside a write, often after other work of
 * the same request or batch. Every string that crosses a boundary is checked against this one rule.
 */
const UNSTORABLE = /\u0000|\p{Cs}/u;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL (U+0000) or unpaired UTF-16 surrogates';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** A string that Postgres can store and every consumer can read back; chain min/max/regex as on z.string(). */
export function text() {
  return z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
}
