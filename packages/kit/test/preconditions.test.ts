import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  entityTag,
  isHttpProblem,
  noneMatchHits,
  optionalVersion,
  parseIfMatch,
  problemType,
  requireJsonBody,
  requireVersion,
  requiredVersion,
} from '../src/index.ts';
import { makeApp, serve } from './helpers.ts';

function problemOf(fn: () => unknown): { status: number; type: string; detail: string | undefined; extra: Record<string, unknown>; headers: Record<string, string> } {
  try {
    fn();
  } catch (err) {
    assert.ok(isHttpProblem(err), String(err));
    return { status: err.status, type: err.typeUri, detail: err.detail, extra: err.extra, headers: err.headers };
  }
  assert.fail('expected a problem');
}

describe('If-Match parsing', () => {
  it('when If-Match is absent, then there is no condition; * is any version', () => {
    assert.equal(parseIfMatch(undefined), undefined);
    assert.deepEqual(parseIfMatch(' * '), { kind: 'any' });
  });

  it('when If-Match lists strong tags, then their versions are the condition; weak and foreign tags never match', () => {
    assert.deepEqual(parseIfMatch('"3"'), { kind: 'one-of', versions: [3] });
    assert.deepEqual(parseIfMatch('"7", "1" ,W/"2", "abc", "0"'), { kind: 'one-of', versions: [7, 1] });
    assert.deepEqual(parseIfMatch('W/"2"'), { kind: 'one-of', versions: [] });
  });

  it('when If-Match is not a list of entity tags, then 400 invalid-if-match', () => {
    for (const header of ['', '3', '"3', 'version-1', '"a"b"', Array.from({ length: 21 }, (_, i) => `"${i + 1}"`).join(',')]) {
      const problem = problemOf(() => parseIfMatch(header));
      assert.equal(problem.status, 400, header);
      assert.equal(problem.type, problemType('invalid-if-match'));
      assert.match(problem.detail ?? '', /If-Match: "<version>"/);
    }
  });

  it('when If-None-Match names the current version (weakly or by *), then it hits', () => {
    assert.equal(noneMatchHits(undefined, 3), false);
    assert.equal(noneMatchHits('*', 3), true);
    assert.equal(noneMatchHits('"2", W/"3"', 3), true);
    assert.equal(noneMatchHits('"2", "4"', 3), false);
  });

  it('when If-None-Match is malformed (garbage beside the current tag, too many tags, too long), then 400 invalid-if-none-match, never a 304', () => {
    const tooMany = Array.from({ length: 21 }, (_, i) => `"${i + 1}"`).join(',');
    for (const header of ['"3" x', '3', '', tooMany, `"3", "${'a'.repeat(200)}"`]) {
      const problem = problemOf(() => noneMatchHits(header, 3));
      assert.equal(problem.status, 400, header);
      assert.equal(problem.type, problemType('invalid-if-none-match'));
    }
  });

  it('when If-Match is longer than the documented 200 characters, then 400 even if every tag is well-formed', () => {
    assert.equal(problemOf(() => parseIfMatch(`"3", "${'a'.repeat(200)}"`)).status, 400);
  });
});

describe('requireVersion', () => {
  const task = { id: 't-1', version: 4 };

  it('when there is no condition, any, or the current version is listed, then the write goes ahead', () => {
    for (const condition of [undefined, { kind: 'any' as const }, { kind: 'one-of' as const, versions: [2, 4] }]) {
      assert.doesNotThrow(() => requireVersion('Task', task, condition));
    }
  });

  it('when the condition names another version, then 412 version-conflict with the current version and ETag', () => {
    const problem = problemOf(() => requireVersion('Task', task, { kind: 'one-of', versions: [3] }));
    assert.equal(problem.status, 412);
    assert.equal(problem.type, problemType('version-conflict'));
    assert.deepEqual(problem.extra, { currentVersion: 4 });
    assert.deepEqual(problem.headers, { ETag: entityTag(4) });
    assert.match(problem.detail ?? '', /^Task t-1 is at version 4, but the request was based on version 3\./);
    assert.match(problemOf(() => requireVersion('Task', task, { kind: 'one-of', versions: [] })).detail ?? '', /no version this service issued/);
  });
});

describe('version conditions of a request', () => {
  async function conditionApp(t: Parameters<typeof serve>[0]) {
    const kit = makeApp();
    const body = z.strictObject({ version: z.int().min(1).optional() });
    kit.app.patch('/optional', requireJsonBody(), (req, res) => {
      res.json({ condition: optionalVersion(req, body.parse(req.body).version) ?? null });
    });
    kit.app.patch('/required', requireJsonBody(), (req, res) => {
      res.json({ condition: requiredVersion(req, body.parse(req.body).version) });
    });
    kit.app.delete('/optional', (req, res) => {
      res.json({ condition: optionalVersion(req) ?? null });
    });
    return serve(t, kit.app);
  }

  const patch = (url: string, body: unknown, ifMatch?: string) =>
    fetch(url, { method: 'PATCH', headers: { 'content-type': 'application/json', ...(ifMatch ? { 'if-match': ifMatch } : {}) }, body: JSON.stringify(body) });

  it('when If-Match or a body version is sent, then either one is the condition; both must agree', async (t) => {
    const server = await conditionApp(t);
    for (const path of ['/optional', '/required']) {
      assert.deepEqual(await (await patch(`${server.url}${path}`, {}, '"3"')).json(), { condition: { kind: 'one-of', versions: [3] } });
      assert.deepEqual(await (await patch(`${server.url}${path}`, { version: 5 }, undefined)).json(), { condition: { kind: 'one-of', versions: [5] } });
      assert.deepEqual(await (await patch(`${server.url}${path}`, { version: 3 }, '"3"')).json(), { condition: { kind: 'one-of', versions: [3] } });
      assert.deepEqual(await (await patch(`${server.url}${path}`, { version: 6 }, '*')).json(), { condition: { kind: 'one-of', versions: [6] } });
      const disagree = await patch(`${server.url}${path}`, { version: 2 }, '"3"');
      assert.equal(disagree.status, 400);
      assert.equal(((await disagree.json()) as { type: string }).type, problemType('validation-error'));
    }
  });

  it('when the version is optional and none is named, then there is no condition (or any)', async (t) => {
    const server = await conditionApp(t);
    assert.deepEqual(await (await patch(`${server.url}/optional`, {})).json(), { condition: null });
    assert.deepEqual(await (await patch(`${server.url}/optional`, {}, '*')).json(), { condition: { kind: 'any' } });
    assert.deepEqual(await (await fetch(`${server.url}/optional`, { method: 'DELETE', headers: { 'if-match': '"9"' } })).json(), { condition: { kind: 'one-of', versions: [9] } });
  });

  it('when the version is required and neither If-Match nor a body version names one, then 428 precondition-required', async (t) => {
    const server = await conditionApp(t);
    for (const [ifMatch, detail] of [[undefined, /or "version" in the body/], ['*', /If-Match: \* does not protect/]] as const) {
      const res = await patch(`${server.url}/required`, {}, ifMatch);
      assert.equal(res.status, 428);
      const doc = (await res.json()) as { type: string; detail: string };
      assert.equal(doc.type, problemType('precondition-required'));
      assert.match(doc.detail, detail);
    }
  });

  it('when If-Match is malformed, then 400 invalid-if-match on every kind of write', async (t) => {
    const server = await conditionApp(t);
    for (const res of [await patch(`${server.url}/optional`, {}, 'version-1'), await patch(`${server.url}/required`, { version: 1 }, '"1'), await fetch(`${server.url}/optional`, { method: 'DELETE', headers: { 'if-match': '1' } })]) {
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { type: string }).type, problemType('invalid-if-match'));
    }
  });
});
