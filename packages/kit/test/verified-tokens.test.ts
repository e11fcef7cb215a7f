import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuth, signToken, type AuthContext } from '../src/index.ts';
import { VerifiedTokens } from '../src/verified-tokens.ts';

const SECRET = 'verified-tokens-test-secret-0123456789';
const settings = { JWT_SECRET: SECRET, JWT_ISSUER: 'lifeline', JWT_AUDIENCE: 'lifeline-api' };
const person: AuthContext = { userId: 'p-1', roles: ['user'], care: [] };

test('when a remembered token reaches its expiry, then it is forgotten and not answered from memory', () => {
  let now = 1_000;
  const tokens = new VerifiedTokens(10, () => now);
  tokens.set('t', person, 2_000);
  assert.deepEqual(tokens.get('t'), person);
  now = 2_000;
  assert.equal(tokens.get('t'), undefined);
  assert.equal(tokens.size, 0);
});

test('when a token is already past its expiry, then it is not remembered at all', () => {
  const tokens = new VerifiedTokens(10, () => 5_000);
  tokens.set('t', person, 5_000);
  assert.equal(tokens.size, 0);
});

test('when more tokens arrive than the bound, then the least recently used ones go first', () => {
  const tokens = new VerifiedTokens(2, () => 0);
  tokens.set('a', person, 10);
  tokens.set('b', person, 10);
  assert.ok(tokens.get('a'), 'a used again, so b is now the oldest');
  tokens.set('c', person, 10);
  assert.equal(tokens.size, 2);
  assert.equal(tokens.get('b'), undefined);
  assert.ok(tokens.get('a'));
  assert.ok(tokens.get('c'));
});

test('when a verified token is presented again, then the answer is the same frozen caller', async () => {
  const auth = createAuth(settings);
  const token = await signToken(SECRET, { sub: 'c-1', roles: ['caregiver'], care: ['p-1'] });
  const first = await auth.verify(token);
  const second = await auth.verify(token);
  assert.equal(second, first);
  assert.deepEqual(second, { userId: 'c-1', roles: ['caregiver'], care: ['p-1'] });
  // Shared between requests, so nobody may widen one caller's care list for the next.
  assert.throws(() => second.care.push('p-2'), TypeError);
});

test('when the signature of a verified token is altered, then the altered token is refused', async () => {
  const auth = createAuth(settings);
  const token = await signToken(SECRET, { sub: 'p-1', roles: ['user'] });
  await auth.verify(token);
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
  await assert.rejects(auth.verify(`${header}.${payload}.${flipped}`), { status: 401 });
  // A token for someone else signed with another secret is not answered from memory either.
  const forged = await signToken('another-secret-0123456789-abcdefgh', { sub: 'p-1', roles: ['admin'] });
  await assert.rejects(auth.verify(forged), { status: 401 });
});

test('when a token has already expired, then it is refused every time', async () => {
  const auth = createAuth(settings);
  const expired = await signToken(SECRET, { sub: 'p-1', roles: ['user'] }, { expiresInSeconds: -60 });
  await assert.rejects(auth.verify(expired), { status: 401 });
  await assert.rejects(auth.verify(expired), { status: 401 });
});
