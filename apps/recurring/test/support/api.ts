import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { seriesStateSchema, taskStateSchema, type SeriesState, type TaskState } from '@lifeline/contracts';

/** Thin HTTP helpers so tests read as what a client does. */
export interface Call {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(url: string, path: string, authorization: string | undefined, opts: Call = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(authorization ? { authorization } : {}) };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${url}${path}`, {
    method: opts.method ?? 'GET',
    headers: { ...headers, ...opts.headers },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
}

export async function expectProblem(res: Response, status: number, typeSlug?: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.status, status);
  if (typeSlug) assert.equal(body.type, `https://lifeline.dev/problems/${typeSlug}`, text);
  return body;
}

export async function expectSeries(res: Response, status = 200): Promise<SeriesState> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  const series = seriesStateSchema.parse(JSON.parse(text));
  assert.equal(res.headers.get('etag'), `"${series.version}"`);
  return series;
}

export async function expectTask(res: Response, status = 200): Promise<TaskState> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  return taskStateSchema.parse(JSON.parse(text));
}

/** Polls until check returns a value other than undefined/false, or fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(50);
  }
}
