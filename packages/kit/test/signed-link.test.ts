import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { createSignedLinks } from '../src/index.ts';
import { SECRET } from './helpers.ts';

const claims = z.strictObject({ e: z.uuid(), c: z.uuid() });
const ids = { e: '3f0e4c1e-5b0e-4d6c-9a39-0c1a5d3c2b10', c: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d' };

describe('signed links', () => {
  it('when a token signed by one app is verified by another with the same secret and purpose, then its claims, expiry and nonce come back', () => {
    let clock = 1_800_000_000_000;
    const signer = createSignedLinks({ secret: SECRET, purpose: 'test-link', claims, now: () => clock });
    const verifier = createSignedLinks({ secret: SECRET, purpose: 'test-link', claims, now: () => clock });
    const token = signer.sign(ids, 3600);
    const check = verifier.verify(token);
    assert.ok(check.ok);
    assert.deepEqual(check.claims, ids);
    assert.equal(check.expiresAt, 1_800_000_000 + 3600);
    assert.match(check.nonce, /^[A-Za-z0-9_-]{22}$/);
    clock += 3600_000;
    assert.deepEqual(verifier.verify(token), { ok: false, reason: 'expired' });
  });

  it('when two tokens are signed for the same claims, then their nonces differ', () => {
    const links = createSignedLinks({ secret: SECRET, purpose: 'test-link', claims });
    const a = links.verify(links.sign(ids, 60));
    const b = links.verify(links.sign(ids, 60));
    assert.ok(a.ok && b.ok);
    assert.notEqual(a.nonce, b.nonce);
  });

  it('when a token is of another purpose, another secret, tampered with or garbage, then it is invalid', () => {
    const links = createSignedLinks({ secret: SECRET, purpose: 'test-link', claims });
    const token = links.sign(ids, 60);
    assert.deepEqual(createSignedLinks({ secret: SECRET, purpose: 'other', claims }).verify(token), { ok: false, reason: 'invalid' });
    assert.deepEqual(createSignedLinks({ secret: `${SECRET}x`, purpose: 'test-link', claims }).verify(token), { ok: false, reason: 'invalid' });
    const [data = '', tag = ''] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(data, 'base64url').toString()), c: ids.e })).toString('base64url');
    assert.deepEqual(links.verify(`${forged}.${tag}`), { ok: false, reason: 'invalid' });
    for (const bad of ['', 'x', `${data}.`, `${data}.${tag}x`, '\u0000.\u0000']) assert.deepEqual(links.verify(bad), { ok: false, reason: 'invalid' });
  });

  it('when a validly signed token carries claims of another shape, then it is invalid', () => {
    const loose = createSignedLinks({ secret: SECRET, purpose: 'test-link', claims: z.record(z.string(), z.string()) });
    const strict = createSignedLinks({ secret: SECRET, purpose: 'test-link', claims });
    assert.deepEqual(strict.verify(loose.sign({ e: 'not-a-uuid', c: ids.c }, 60)), { ok: false, reason: 'invalid' });
    assert.throws(() => loose.sign({ x: '1' }, 60), /reserved/);
  });
});
