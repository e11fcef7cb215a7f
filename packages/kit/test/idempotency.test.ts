import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyStoreGuard, memoryKeyStore } from '../src/index.ts';
import type { KeyStore } from '../src/index.ts';

test('when the same key runs twice, then the second run is a duplicate and work is not called', async () => {
  const guard = keyStoreGuard(memoryKeyStore(), { ttlSeconds: 60 });
  let calls = 0;
  const work = async () => ++calls;
  assert.deepEqual(await guard.runOnce('evt-1', work), { duplicate: false, result: 1 });
  assert.deepEqual(await guard.runOnce('evt-1', work), { duplicate: true });
  assert.equal(calls, 1);
  assert.deepEqual(await guard.runOnce('evt-2', work), { duplicate: false, result: 2 });
});

test('when work fails, then the key is not marked and a retry runs the work again', async () => {
  const store = memoryKeyStore();
  const guard = keyStoreGuard(store, { ttlSeconds: 60 });
  let calls = 0;
  await assert.rejects(
    guard.runOnce('evt-1', async () => {
      calls++;
      throw new Error('transient');
    }),
    /transient/,
  );
  assert.equal(store.size(), 0);
  assert.deepEqual(await guard.runOnce('evt-1', async () => ++calls), { duplicate: false, result: 2 });
});

test('when the remembered key expires, then the work may run again', async () => {
  let now = 1_000_000;
  const guard = keyStoreGuard(memoryKeyStore(() => now), { ttlSeconds: 10 });
  let calls = 0;
  await guard.runOnce('evt-1', async () => ++calls);
  now += 11_000;
  assert.equal((await guard.runOnce('evt-1', async () => ++calls)).duplicate, false);
  assert.equal(calls, 2);
});

test('when two deliveries of one key overlap in a process, then the second waits and is a duplicate', async () => {
  const guard = keyStoreGuard(memoryKeyStore(), { ttlSeconds: 60 });
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const first = guard.runOnce('evt-1', async () => {
    calls++;
    await gate;
    return 'done';
  });
  const second = guard.runOnce('evt-1', async () => ++calls);
  release();
  assert.deepEqual(await first, { duplicate: false, result: 'done' });
  assert.deepEqual(await second, { duplicate: true });
  assert.equal(calls, 1);
});

test('when recording the key fails after the work succeeded, then the result stands and the failure is reported', async () => {
  const failing: KeyStore = {
    get: async () => undefined,
    set: async () => {
      throw new Error('store down');
    },
  };
  const reported: string[] = [];
  const guard = keyStoreGuard(failing, { ttlSeconds: 60, onMarkError: (_err, key) => reported.push(key) });
  assert.deepEqual(await guard.runOnce('evt-1', async () => 'ok'), { duplicate: false, result: 'ok' });
  assert.deepEqual(reported, ['evt-1']);
});

test('when a prefix is set, then keys are namespaced in the store', async () => {
  const seen: string[] = [];
  const store: KeyStore = {
    get: async () => undefined,
    set: async (key) => void seen.push(key),
  };
  await keyStoreGuard(store, { ttlSeconds: 60, prefix: 'notification|' }).runOnce('evt-1', async () => 1);
  assert.deepEqual(seen, ['notification|evt-1']);
});
