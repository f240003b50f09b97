/**
 * The KeyValueStore contract, run against every implementation (MemoryStore, keyv over Map,
 * LMDB, Redis). Exported so other stores can be held to the same rules.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { KeyValueStore } from '../../lib/store/key-value-store.js';
import { namespaced } from '../../lib/store/key-value-store.js';

export function keyValueStoreContract(name: string, open: () => Promise<KeyValueStore>, reopen?: () => Promise<KeyValueStore>): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let store: KeyValueStore;
    let prefix = 0;
    const key = (k: string) => `t${prefix}:${k}`;

    beforeEach(async () => {
      prefix = Date.now() * 1000 + Math.floor(Math.random() * 1000);
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('get of a missing key is undefined', async () => {
      assert.equal(await store.get(key('missing')), undefined);
    });

    it('set/get round-trips JSON values exactly, without shared references', async () => {
      const value = { a: 1, b: 'x:y', c: [true, null, 2.5], d: { e: ':colon-leading' }, unicode: 'hello？ sausage ≠' };
      await store.set(key('v'), value);
      const got = await store.get<typeof value>(key('v'));
      assert.deepEqual(got, value);
      assert.notEqual(got, value);
      await store.set(key('s'), ':leading colon string');
      assert.equal(await store.get(key('s')), ':leading colon string');
      await store.set(key('n'), 0);
      assert.equal(await store.get(key('n')), 0);
      await store.set(key('f'), false);
      assert.equal(await store.get(key('f')), false);
    });

    // undefined has no JSON form: the mistake is rejected where it is made, not on a later get.
    it('rejects a value that is not JSON-serialisable at set time', async () => {
      await assert.rejects(store.set(key('u'), undefined));
      assert.equal(await store.get(key('u')), undefined);
    });

    it('Dates become ISO strings (values are JSON)', async () => {
      await store.set(key('d'), { at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
      assert.deepEqual(await store.get(key('d')), { at: '2024-01-02T03:04:05.000Z' });
    });

    it('set overwrites; delete reports whether something was removed', async () => {
      await store.set(key('k'), 1);
      await store.set(key('k'), 2);
      assert.equal(await store.get(key('k')), 2);
      assert.equal(await store.delete(key('k')), true);
      assert.equal(await store.get(key('k')), undefined);
      assert.equal(await store.delete(key('k')), false);
    });

    // TTLs leave room for a few flushed writes on a busy disk before the first read.
    it('a TTL expires the value; ttl 0 means no expiry', async () => {
      await store.set(key('ttl'), 'soon gone', 400);
      await store.set(key('forever'), 'stays', 0);
      assert.equal(await store.get(key('ttl')), 'soon gone');
      await delay(500);
      assert.equal(await store.get(key('ttl')), undefined);
      assert.equal(await store.get(key('forever')), 'stays');
    });

    it('setIfAbsent stores only when absent, and again once the value expired', async () => {
      assert.equal(await store.setIfAbsent(key('lease'), { owner: 'a' }, 400), true);
      assert.equal(await store.setIfAbsent(key('lease'), { owner: 'b' }, 400), false);
      assert.deepEqual(await store.get(key('lease')), { owner: 'a' });
      await delay(500);
      assert.equal(await store.setIfAbsent(key('lease'), { owner: 'c' }, 400), true);
      assert.deepEqual(await store.get(key('lease')), { owner: 'c' });
      assert.equal(await store.delete(key('lease')), true);
      assert.equal(await store.setIfAbsent(key('lease'), { owner: 'd' }), true);
    });

    it('setIfAbsent is atomic: of 20 concurrent callers exactly one wins', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent(key('race'), i, 5000)));
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true);
      assert.equal(await store.get(key('race')), winner);
    });

    it('namespaced() keeps concerns apart', async () => {
      const a = namespaced(store, key('A'));
      const b = namespaced(store, key('B'));
      await a.set('x', 'from a');
      assert.equal(await b.get('x'), undefined);
      assert.equal(await a.get('x'), 'from a');
    });

    if (reopen) {
      it('values survive closing and reopening the store', async () => {
        await store.set(key('persist'), { kept: true });
        await store.close();
        store = await reopen();
        assert.deepEqual(await store.get(key('persist')), { kept: true });
      });
    }
  });
}
