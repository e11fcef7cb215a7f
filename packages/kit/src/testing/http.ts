import assert from 'node:assert/strict';
import { PROBLEM_TYPE_BASE } from '../problem.ts';

export interface Call {
  method?: string;
  /** Sent as JSON (a string is sent as it is, for malformed bodies). */
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a client does: one request, JSON in, the raw Response out, so tests read as client code. */
export async function call(url: string, path: string, authorization: string | undefined, opts: Call = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(authorization ? { authorization } : {}) };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${url}${path}`, {
    method: opts.method ?? 'GET',
    headers: { ...headers, ...opts.headers },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
}

/** Asserts the status (showing the body when it is not the one expected) and returns the parsed JSON. */
export async function expectJson<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Asserts an RFC 9457 problem with this status (and problem type slug) and returns the document. */
export async function expectProblem(res: Response, status: number, typeSlug?: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.status, status);
  if (typeSlug) assert.equal(body.type, `${PROBLEM_TYPE_BASE}${typeSlug}`, text);
  return body;
}
