import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createEmergencyAckLinks } from '../src/index.ts';
import { SECRET } from './helpers.ts';

const E = '0b7e4c6a-5a1e-4f0d-9a53-2f3a9f1c8d11';
const F = '1c8f5d7b-6b2f-4a1e-8b64-3a4b0a2d9e22';
const C = '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';

describe('emergency acknowledgement links', () => {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const notification = createEmergencyAckLinks({ secret: SECRET, now: () => clock });
  const emergency = createEmergencyAckLinks({ secret: SECRET, now: () => clock });

  it('when notification signs a link, then emergency verifies it for that emergency and names the contact; the URL opens the respond page', () => {
    const url = new URL(notification.urlFor('https://lifeline.example/api/v1/', E, C, 3600));
    assert.equal(url.pathname, `/api/v1/emergencies/${E}/respond`);
    const check = emergency.verify(url.searchParams.get('token') ?? '', E);
    assert.ok(check.ok);
    assert.equal(check.contactId, C);
  });

  it('when a link is tampered with, signed with another secret, used for another emergency or expired, then it is refused with the reason', () => {
    const token = notification.sign(E, C, 3600);
    assert.deepEqual(emergency.verify(`${token}x`, E), { ok: false, reason: 'invalid' });
    assert.deepEqual(emergency.verify(createEmergencyAckLinks({ secret: `${SECRET}-other` }).sign(E, C, 3600), E), { ok: false, reason: 'invalid' });
    assert.deepEqual(emergency.verify(token, F), { ok: false, reason: 'other-emergency' });
    clock += 3600_000 + 1;
    assert.deepEqual(emergency.verify(token, E), { ok: false, reason: 'expired' });
  });

  it('when a link was signed the way the emergency app signed them before the move, then it still verifies (links already in mailboxes keep working)', () => {
    const key = createHash('sha256').update('lifeline/emergency-ack-link\0').update(SECRET).digest();
    const data = Buffer.from(JSON.stringify({ e: E, c: C, x: Math.floor(Date.now() / 1000) + 600, n: 'abcdefghijklmnopqrstuv' })).toString('base64url');
    const old = `${data}.${createHmac('sha256', key).update(data).digest().subarray(0, 16).toString('base64url')}`;
    const check = createEmergencyAckLinks({ secret: SECRET }).verify(old, E);
    assert.ok(check.ok);
    assert.equal(check.nonce, 'abcdefghijklmnopqrstuv');
  });
});
