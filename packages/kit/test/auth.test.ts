import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canActFor, createAuth, getAuth, problemType, signToken } from '../src/index.ts';
import type { AuthContext } from '../src/index.ts';
import { SECRET, makeApp, serve } from './helpers.ts';

const settings = { JWT_SECRET: SECRET, JWT_ISSUER: 'lifeline', JWT_AUDIENCE: 'lifeline-api' };

async function authApp(t: Parameters<typeof serve>[0]) {
  const kit = makeApp();
  const auth = createAuth(settings);
  kit.app.get('/me', auth.requireAuth(), (req, res) => {
    res.json(getAuth(req));
  });
  kit.app.get('/audit', auth.requireAuth(['compliance', 'admin']), (_req, res) => {
    res.json({ ok: true });
  });
  return serve(t, kit.app);
}

function get(url: string, token?: string) {
  return fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

test('when the token is valid, then the route sees userId, roles and care', async (t) => {
  const server = await authApp(t);
  const token = await signToken(SECRET, { sub: 'u-1', roles: ['caregiver'], care: ['p-1', 'p-2'] });
  const res = await get(`${server.url}/me`, token);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { userId: 'u-1', roles: ['caregiver'], care: ['p-1', 'p-2'] });
});

test('when no token is sent, then 401 problem+json with a Bearer challenge', async (t) => {
  const server = await authApp(t);
  const res = await get(`${server.url}/me`);
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="lifeline"$/);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(((await res.json()) as { type: string }).type, problemType('unauthorized'));
});

test('when the token has expired, then 401 says so with invalid_token', async (t) => {
  const server = await authApp(t);
  const token = await signToken(SECRET, { sub: 'u-1', roles: ['user'] }, { expiresInSeconds: -60 });
  const res = await get(`${server.url}/me`, token);
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  assert.match(((await res.json()) as { detail: string }).detail, /expired/);
});

test('when the audience is wrong, then 401', async (t) => {
  const server = await authApp(t);
  const token = await signToken(SECRET, { sub: 'u-1', roles: ['user'] }, { audience: 'someone-else' });
  const res = await get(`${server.url}/me`, token);
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer /);
});

test('when the issuer is wrong, then 401', async (t) => {
  const server = await authApp(t);
  const token = await signToken(SECRET, { sub: 'u-1', roles: ['user'] }, { issuer: 'evil' });
  assert.equal((await get(`${server.url}/me`, token)).status, 401);
});

test('when the token is signed with another secret, then 401', async (t) => {
  const server = await authApp(t);
  const token = await signToken('another-secret-that-is-also-32-characters-long', { sub: 'u-1', roles: ['admin'] });
  assert.equal((await get(`${server.url}/me`, token)).status, 401);
});

test('when the header is not a bearer token, then 401', async (t) => {
  const server = await authApp(t);
  const res = await fetch(`${server.url}/me`, { headers: { authorization: 'Basic dTpw' } });
  assert.equal(res.status, 401);
});

test('when the caller lacks every allowed role, then 403; with one of them, then 200', async (t) => {
  const server = await authApp(t);
  const user = await signToken(SECRET, { sub: 'u-1', roles: ['user', 'caregiver'] });
  const denied = await get(`${server.url}/audit`, user);
  assert.equal(denied.status, 403);
  assert.equal(((await denied.json()) as { type: string }).type, problemType('forbidden'));
  const officer = await signToken(SECRET, { sub: 'c-1', roles: ['compliance'] });
  assert.equal((await get(`${server.url}/audit`, officer)).status, 200);
});

test('when a token carries an unknown role, then it is ignored rather than trusted', async () => {
  const auth = createAuth(settings);
  const token = await signToken(SECRET, { sub: 'u-1', roles: ['user', 'superuser' as 'user'] });
  assert.deepEqual((await auth.verify(token)).roles, ['user']);
});

test('canActFor: self, caregiver of the person, and admin may act; others may not', () => {
  const self: AuthContext = { userId: 'p-1', roles: ['user'], care: [] };
  const carer: AuthContext = { userId: 'c-1', roles: ['caregiver'], care: ['p-1'] };
  const otherCarer: AuthContext = { userId: 'c-2', roles: ['caregiver'], care: ['p-9'] };
  const careListWithoutRole: AuthContext = { userId: 'u-3', roles: ['user'], care: ['p-1'] };
  const admin: AuthContext = { userId: 'a-1', roles: ['admin'], care: [] };
  const stranger: AuthContext = { userId: 'u-2', roles: ['user'], care: [] };
  assert.equal(canActFor(self, 'p-1'), true);
  assert.equal(canActFor(carer, 'p-1'), true);
  assert.equal(canActFor(admin, 'p-1'), true);
  assert.equal(canActFor(otherCarer, 'p-1'), false);
  assert.equal(canActFor(careListWithoutRole, 'p-1'), false);
  assert.equal(canActFor(stranger, 'p-1'), false);
});

test('when a service signs its own token, then the verified caller is marked as a service; a person never is', async () => {
  const auth = createAuth(settings);
  const service = await auth.verify(await signToken(SECRET, { sub: 'recurring', roles: ['caregiver'], care: ['p-1'], service: true }));
  assert.equal(service.service, true);
  const person = await auth.verify(await signToken(SECRET, { sub: 'p-1', roles: ['user'] }));
  assert.equal(person.service, undefined);
});
