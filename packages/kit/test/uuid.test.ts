import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuidV5 } from '../src/index.ts';

const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

test('when the RFC 9562 example name is hashed in the DNS namespace, then uuidV5 gives the published v5 UUID', () => {
  // RFC 9562 Appendix A.4.
  assert.equal(uuidV5('www.example.com', DNS_NAMESPACE), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

test('when the same name is hashed twice, then the id is the same; another name or namespace gives another id', () => {
  const id = uuidV5('reminder.due/42', DNS_NAMESPACE);
  assert.equal(uuidV5('reminder.due/42', DNS_NAMESPACE), id);
  assert.equal(uuidV5('reminder.due/42', DNS_NAMESPACE.toUpperCase()), id);
  assert.notEqual(uuidV5('reminder.due/43', DNS_NAMESPACE), id);
  assert.notEqual(uuidV5('reminder.due/42', '6ba7b811-9dad-11d1-80b4-00c04fd430c8'), id);
});

test('when any name is hashed, then the id carries version 5 and the RFC variant', () => {
  for (const name of ['', 'ä/ß/€', 'x'.repeat(10_000)]) {
    assert.match(uuidV5(name, DNS_NAMESPACE), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
});

test('when the namespace is not a UUID, then uuidV5 refuses it rather than hashing to ids nobody stored', () => {
  for (const namespace of ['', 'not-a-uuid', '6ba7b810-9dad-11d1-80b4-00c04fd430c', '6ba7b8109dad11d180b400c04fd430c8']) {
    assert.throws(() => uuidV5('name', namespace), TypeError);
  }
});
