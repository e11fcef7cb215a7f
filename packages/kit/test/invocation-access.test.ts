import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INVOCATION_GRANTS, invocationAllowed } from '../src/index.ts';

test('when emergency asks location for a track, latest position, trail or distances, then it is allowed', () => {
  assert.ok(invocationAllowed('location', 'emergency', 'GET', '/internal/people/p-1/track'));
  assert.ok(invocationAllowed('location', 'emergency', 'GET', '/location/people/p-1/trail'));
  assert.ok(invocationAllowed('location', 'emergency', 'POST', '/internal/people/p-1/distances'));
  assert.ok(invocationAllowed('tasks', 'recurring', 'POST', '/tasks'));
  assert.ok(invocationAllowed('tasks', 'recurring', 'PATCH', '/tasks/t-1'));
});

test('when a call is outside every grant, then it is refused: other callers, methods, paths, look-alike prefixes', () => {
  assert.equal(invocationAllowed('location', 'tasks', 'GET', '/internal/people/p-1/track'), false);
  assert.equal(invocationAllowed('location', 'emergency', 'DELETE', '/location/people/p-1'), false);
  assert.equal(invocationAllowed('location', 'emergency', 'POST', '/location/geofences'), false);
  assert.equal(invocationAllowed('tasks', 'recurring', 'DELETE', '/tasks/t-1'), false);
  assert.equal(invocationAllowed('tasks', 'recurring', 'POST', '/tasksx'), false);
  assert.equal(invocationAllowed('audit', 'emergency', 'GET', '/audit'), false);
  assert.equal(invocationAllowed('emergency', 'location', 'GET', '/emergencies'), false);
});

test('when an app invokes itself, then it is allowed (daprd stamps its own id on a self-invocation)', () => {
  assert.ok(invocationAllowed('audit', 'audit', 'GET', '/audit'));
});

test('when the grants are read, then every callee and caller is one of the six apps', () => {
  const apps = ['tasks', 'audit', 'recurring', 'notification', 'emergency', 'location'];
  for (const [callee, grants] of Object.entries(INVOCATION_GRANTS)) {
    assert.ok(apps.includes(callee), callee);
    for (const g of grants) assert.ok(apps.includes(g.caller), g.caller);
  }
});
