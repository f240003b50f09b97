/**
 * Listings cached in process memory: bounded in bytes (least recently used out first), never
 * written to the store, and a listing fetched while the folder changed is not kept.
 */
import assert from 'node:assert/strict';
import type { RemoteEntry } from '../../lib/storage/backend.js';
import type { KeyValueStore } from '../../lib/store/key-value-store.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { withEntry } from '../../lib/vfs/listing-edits.js';
import { ListingMemory, MemoryDirCache } from '../../lib/vfs/memory-dir-cache.js';
import { body, rig } from './helpers.js';

const file = (name: string): RemoteEntry => ({ name, kind: 'file', size: 1, md5: 'c4ca4238a0b923820dcc509a6f75849b' });
const listing = (n: number, prefix = 'f') => Array.from({ length: n }, (_, i) => file(`${prefix}${i}`));

describe('MemoryDirCache', () => {
  it('keeps the listings within the byte budget, dropping the least recently used first', async () => {
    const memory = new ListingMemory(200_000);
    const cache = new MemoryDirCache(memory, 'ns', { ttlMs: 60_000 });
    for (let i = 0; i < 10; i++) {
      await cache.put([`d${i}`], listing(100));
      await cache.get(['d0']); // d0 stays in use
    }
    assert.ok(memory.usedBytes <= 200_000, `${memory.usedBytes} bytes`);
    assert.ok(await cache.get(['d0']), 'the listing in use stays');
    assert.equal(await cache.get(['d1']), undefined, 'the least recently used went first');
    assert.ok(await cache.get(['d9']));
  });

  it('a listing larger than the whole budget is not cached, and evicts nothing', async () => {
    const memory = new ListingMemory(50_000);
    const cache = new MemoryDirCache(memory, 'ns', { ttlMs: 60_000 });
    await cache.put(['small'], listing(10));
    await cache.put(['huge'], listing(1000));
    assert.equal(await cache.get(['huge']), undefined);
    assert.ok(await cache.get(['small']));
  });

  it('an edit grows the counted size and can evict others; the edited listing is a new array with the same entries', async () => {
    const memory = new ListingMemory(50_000);
    const cache = new MemoryDirCache(memory, 'ns', { ttlMs: 60_000 });
    await cache.put(['old'], listing(50, 'o'));
    await cache.put(['grow'], listing(50, 'g'));
    const before = (await cache.get(['grow']))!;
    for (let i = 0; i < 120; i++) await cache.update(['grow'], (es) => withEntry(es, file(`n${i}`), true));
    const after = (await cache.get(['grow']))!;
    assert.equal(after.length, 170);
    assert.notEqual(after, before);
    assert.equal(after[0], before[0], 'entries are not copied');
    assert.equal(await cache.get(['old']), undefined);
    assert.ok(memory.usedBytes <= 50_000);
  });

  it('regression: parallel PUTs into a folder kept its listing from being cached (each re-listed it) — an edit made during a fill is applied to what it fetched', async () => {
    const cache = new MemoryDirCache(new ListingMemory(1 << 20), 'ns', { ttlMs: 60_000 });
    const listed = await cache.fill(['d'], async () => {
      // One PUT lands before the listing was taken (it holds the file), one after (it does not).
      await cache.update(['d'], (es) => withEntry(es, file('f0'), true));
      await cache.update(['d'], (es) => withEntry(es, file('late'), true));
      return listing(2);
    });
    assert.deepEqual(listed.map((e) => e.name).sort(), ['f0', 'f1', 'late']);
    assert.deepEqual((await cache.get(['d']))?.map((e) => e.name).sort(), ['f0', 'f1', 'late']);
  });

  it('a fill that ran while the folder was invalidated caches nothing; one that did not is cached', async () => {
    const cache = new MemoryDirCache(new ListingMemory(1 << 20), 'ns', { ttlMs: 60_000 });
    const raced = await cache.fill(['d'], async () => {
      await cache.invalidate(['d']);
      return listing(2);
    });
    assert.equal(raced.length, 2);
    assert.equal(await cache.get(['d']), undefined);
    await cache.fill(['d'], async () => listing(3));
    assert.equal((await cache.get(['d']))?.length, 3);
  });

  it('invalidateSubtree forgets the folder and everything below it, not its siblings', async () => {
    const cache = new MemoryDirCache(new ListingMemory(1 << 20), 'ns', { ttlMs: 60_000 });
    for (const path of [['a'], ['a', 'b'], ['a', 'b', 'c'], ['ab'], []]) await cache.put(path, listing(1));
    await cache.invalidateSubtree(['a']);
    assert.equal(await cache.get(['a']), undefined);
    assert.equal(await cache.get(['a', 'b', 'c']), undefined);
    assert.ok(await cache.get(['ab']));
    assert.ok(await cache.get([]));
    await cache.invalidateSubtree([]);
    assert.equal(await cache.get(['ab']), undefined);
  });

  it('namespaces in one memory stay apart', async () => {
    const memory = new ListingMemory(1 << 20);
    const one = new MemoryDirCache(memory, 'one', { ttlMs: 60_000 });
    const two = new MemoryDirCache(memory, 'two', { ttlMs: 60_000 });
    await one.put(['d'], listing(1));
    assert.equal(await two.get(['d']), undefined);
    await two.invalidateSubtree([]);
    assert.ok(await one.get(['d']));
  });
});

describe('BackendVfs: a cache is not state', () => {
  it('a run of PUTs, listings and stats writes nothing to the store', async () => {
    const store = new MemoryStore();
    const writes: string[] = [];
    const counting: KeyValueStore = {
      get: (key) => store.get(key),
      set: async (key, value, ttl) => {
        writes.push(key);
        await store.set(key, value, ttl);
      },
      delete: (key) => store.delete(key),
      setIfAbsent: async (key, value, ttl) => {
        writes.push(key);
        return store.setIfAbsent(key, value, ttl);
      },
      close: () => store.close(),
    };
    const r = await rig({ store: counting });
    try {
      await r.vfs.mkdir('/d');
      for (let i = 0; i < 20; i++) await r.vfs.write(`/d/f${i}.txt`, body(`content ${i}`));
      assert.equal((await r.vfs.list('/d')).length, 20);
      await r.vfs.stat('/d/f3.txt');
      await r.vfs.usage();
      assert.deepEqual(writes, []);
    } finally {
      await r.close();
    }
  });
});
