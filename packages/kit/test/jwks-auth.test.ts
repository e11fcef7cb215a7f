// RS256/ES256 through a JWKS URL: a real HTTP server serves the key set (and counts how often it is asked),
// real keys sign the tokens, and every refused case is a token an attacker could actually send.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SignJWT, exportJWK, type JWK } from 'jose';
import { createAuth, getAuth, remoteJwks, signToken, type SigningKey } from '../src/index.ts';
import { SECRET, makeApp, serve } from './helpers.ts';

interface KeyPair {
  signing: SigningKey;
  publicKey: KeyObject;
  jwk: JWK;
}

async function keyPair(alg: 'RS256' | 'ES256', kid: string = randomUUID()): Promise<KeyPair> {
  const pair = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { signing: { alg, kid, privateKey: pair.privateKey }, publicKey: pair.publicKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
}

/** The identity provider's JWKS endpoint; `keys` can change under it (rotation). */
async function jwksServer(t: { after(fn: () => unknown): void }, keys: JWK[]) {
  const state = { keys, requests: 0 };
  const server: Server = createServer((_req, res) => {
    state.requests += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return Object.assign(state, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json` });
}

async function setup(t: Parameters<typeof serve>[0], keys: JWK[], cooldownMs = 30_000) {
  const idp = await jwksServer(t, keys);
  const auth = createAuth(
    { JWT_SECRET: SECRET, JWT_ISSUER: 'lifeline', JWT_AUDIENCE: 'lifeline-api', JWT_JWKS_URL: idp.url },
    { jwks: remoteJwks(idp.url, { cooldownMs }) },
  );
  const kit = makeApp();
  kit.app.get('/me', auth.requireAuth(), (req, res) => {
    res.json(getAuth(req));
  });
  const app = await serve(t, kit.app);
  const status = async (token: string) => (await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  return { idp, auth, status };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = (over: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return { sub: 'u-1', roles: ['admin'], iss: 'lifeline', aud: 'lifeline-api', iat: now, exp: now + 600, jti: randomUUID(), ...over };
};

test('when a token is signed RS256 or ES256 by a key of the JWKS, then the route sees its caller', async (t) => {
  const rsa = await keyPair('RS256');
  const ec = await keyPair('ES256');
  const { status, auth } = await setup(t, [rsa.jwk, ec.jwk]);
  assert.equal(await status(await signToken(rsa.signing, { sub: 'u-1', roles: ['user'] })), 200);
  assert.equal(await status(await signToken(ec.signing, { sub: 'u-2', roles: ['caregiver'], care: ['p-1'] })), 200);
  assert.deepEqual({ ...(await auth.verify(await signToken(ec.signing, { sub: 'u-2', roles: ['caregiver'], care: ['p-1'] }))) }, { userId: 'u-2', roles: ['caregiver'], care: ['p-1'] });
});

test('when the keys are fetched, then they are cached: many tokens cost the JWKS host one request', async (t) => {
  const ec = await keyPair('ES256');
  const { status, idp } = await setup(t, [ec.jwk]);
  for (let i = 0; i < 20; i++) assert.equal(await status(await signToken(ec.signing, { sub: `u-${i}`, roles: ['user'] })), 200);
  assert.equal(idp.requests, 1);
});

test('when the provider rotates to a key with a new kid, then a token under it is accepted after one refetch', async (t) => {
  const old = await keyPair('ES256');
  const next = await keyPair('RS256');
  const { status, idp } = await setup(t, [old.jwk], 200);
  assert.equal(await status(await signToken(old.signing, { sub: 'u-1', roles: ['user'] })), 200);
  idp.keys = [old.jwk, next.jwk];
  await new Promise((resolve) => setTimeout(resolve, 250)); // past the cooldown
  assert.equal(await status(await signToken(next.signing, { sub: 'u-1', roles: ['user'] })), 200);
  assert.equal(idp.requests, 2);
});

test('when a flood of tokens names unknown kids, then the JWKS host is asked at most once per cooldown and every token is refused', async (t) => {
  const ec = await keyPair('ES256');
  const { status, idp } = await setup(t, [ec.jwk]);
  assert.equal(await status(await signToken(ec.signing, { sub: 'u-1', roles: ['user'] })), 200);
  const before = idp.requests;
  for (let i = 0; i < 50; i++) {
    const stranger = await keyPair('ES256');
    assert.equal(await status(await signToken(stranger.signing, { sub: 'u-1', roles: ['admin'] })), 401);
  }
  assert.ok(idp.requests - before <= 1, `JWKS fetched ${idp.requests - before} times for 50 unknown kids`);
});

test('when a token is signed by a key outside the JWKS under a kid of the JWKS, then it is refused', async (t) => {
  const real = await keyPair('ES256');
  const forger = await keyPair('ES256', real.signing.kid);
  const { status } = await setup(t, [real.jwk]);
  assert.equal(await status(await signToken(forger.signing, { sub: 'u-1', roles: ['admin'] })), 401);
});

test('when an HS256 token is signed with the provider\'s public key as the secret, then it is refused', async (t) => {
  const rsa = await keyPair('RS256');
  const { status } = await setup(t, [rsa.jwk]);
  const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' });
  for (const svc of [false, true]) {
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(rsa.jwk))]) {
      const forged = await new SignJWT({ ...claims(), ...(svc ? { svc: true } : {}) }).setProtectedHeader({ alg: 'HS256', kid: rsa.signing.kid }).sign(secret);
      assert.equal(await status(forged), 401, `HS256 with the public key (svc ${svc})`);
    }
  }
});

test('when a token says alg none, or an algorithm the key is not for, then it is refused', async (t) => {
  const rsa = await keyPair('RS256');
  const ec = await keyPair('ES256');
  const { status } = await setup(t, [rsa.jwk, ec.jwk]);
  assert.equal(await status(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`), 401);
  assert.equal(await status(`${b64({ alg: 'none', kid: rsa.signing.kid })}.${b64(claims())}.`), 401);
  // The RSA key used for RSASSA-PSS, and the EC key's kid on an RSA signature: the key's type pins its algorithm.
  const ps = await new SignJWT(claims()).setProtectedHeader({ alg: 'PS256', kid: rsa.signing.kid }).sign(rsa.signing.privateKey);
  assert.equal(await status(ps), 401);
  const crossed = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: ec.signing.kid }).sign(rsa.signing.privateKey);
  assert.equal(await status(crossed), 401);
});

test('when a JWKS is configured, then a person\'s HS256 token under the shared secret is refused and a service\'s own is accepted', async (t) => {
  const ec = await keyPair('ES256');
  const { status } = await setup(t, [ec.jwk]);
  assert.equal(await status(await signToken(SECRET, { sub: 'u-1', roles: ['admin'] })), 401);
  assert.equal(await status(await signToken(SECRET, { sub: 'recurring', roles: ['caregiver'], care: ['p-1'], service: true })), 200);
});

test('when the issuer or the audience is not ours, then an RS256 token is refused', async (t) => {
  const rsa = await keyPair('RS256');
  const { status } = await setup(t, [rsa.jwk]);
  assert.equal(await status(await signToken(rsa.signing, { sub: 'u-1', roles: ['user'] }, { issuer: 'https://evil.example' })), 401);
  assert.equal(await status(await signToken(rsa.signing, { sub: 'u-1', roles: ['user'] }, { audience: 'another-api' })), 401);
});

test('when clocks drift, then a few seconds are tolerated and more are not', async (t) => {
  const ec = await keyPair('ES256');
  const { status } = await setup(t, [ec.jwk]);
  const now = Date.now();
  const sign = (over: Record<string, unknown>) => new SignJWT(claims(over)).setProtectedHeader({ alg: 'ES256', kid: ec.signing.kid }).sign(ec.signing.privateKey);
  const s = (ms: number) => Math.floor((now + ms) / 1000);
  assert.equal(await status(await sign({ exp: s(-2_000) })), 200, 'expired 2 s ago: within the tolerance');
  assert.equal(await status(await sign({ exp: s(-30_000) })), 401, 'expired 30 s ago');
  assert.equal(await status(await sign({ iat: s(2_000) })), 200, 'issued 2 s ahead');
  assert.equal(await status(await sign({ iat: s(60_000), exp: s(600_000) })), 401, 'issued a minute in the future');
  assert.equal(await status(await sign({ nbf: s(60_000) })), 401, 'not valid for another minute');
  assert.equal(await status(await sign({ iat: s(0), exp: s(25 * 3600_000) })), 401, 'lives longer than a day');
});

test('when the JWKS host cannot be reached or answers no key set, then tokens are refused with 503 (retry), never accepted', async (t) => {
  const ec = await keyPair('ES256');
  const token = await signToken(ec.signing, { sub: 'u-1', roles: ['user'] });
  // Port 9 (discard) refuses the connection.
  const down = createAuth({ JWT_SECRET: SECRET, JWT_ISSUER: 'lifeline', JWT_AUDIENCE: 'lifeline-api', JWT_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' });
  await assert.rejects(down.verify(token), (err: { status?: number }) => err.status === 503);
  const idp = await jwksServer(t, []);
  (idp as { keys: unknown }).keys = 'not a key set';
  const broken = createAuth({ JWT_SECRET: SECRET, JWT_ISSUER: 'lifeline', JWT_AUDIENCE: 'lifeline-api', JWT_JWKS_URL: idp.url });
  await assert.rejects(broken.verify(token), (err: { status?: number }) => err.status === 503);
});
