import assert from 'node:assert/strict';
import { DeadProps } from '../../lib/dav/dead-props.js';
import { LockManager } from '../../lib/dav/locks.js';
import type { KeyValueStore } from '../../lib/store/key-value-store.js';

/** A Map store whose keys the spec can inspect. */
class MapStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  async get<T>(key: string) {
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as T);
  }
  async set<T>(key: string, value: T) {
    this.map.set(key, JSON.stringify(value));
  }
  async delete(key: string) {
    return this.map.delete(key);
  }
  async setIfAbsent<T>(key: string, value: T) {
    if (this.map.has(key)) return false;
    await this.set(key, value);
    return true;
  }
  async close() {}
}

const prop = (v: string) => ({ '{urn:z}p': { ns: 'urn:z', local: 'p', xml: v } });
const same = (p: string) => p;

describe('dav: dead property and lock storage', () => {
  it('keeps index records per collection, follows MOVE/COPY/DELETE and leaves no stale keys', async () => {
    const store = new MapStore();
    const props = new DeadProps(store, same);
    await props.put('/a/b/c/f', prop('f'));
    await props.put('/a/b/g', prop('g'));
    await props.put('/a/x', prop('x'));
    // Each index record holds one collection's children only.
    assert.deepEqual(JSON.parse(store.map.get('kids:/') as string), { '/a': '/a' });
    assert.deepEqual(Object.keys(JSON.parse(store.map.get('kids:/a') as string)).sort(), ['/a/b', '/a/x']);

    const listing = await props.forChildren('/a/b');
    assert.deepEqual(listing.get('/a/b/g'), prop('g'));
    assert.deepEqual(listing.get('/a/b/none'), {});

    await props.moveTree('/a/b', '/m');
    assert.deepEqual(await props.get('/m/c/f'), prop('f'));
    assert.deepEqual(await props.get('/a/b/c/f'), {});
    await props.copyTree('/m', '/n', true);
    assert.deepEqual(await props.get('/n/g'), prop('g'));
    await props.copyTree('/m', '/shallow', false);
    assert.deepEqual(await props.get('/shallow/g'), {});

    await props.removeTree('/m');
    await props.removeTree('/n');
    await props.put('/a/x', {});
    assert.deepEqual([...store.map.keys()], []);
  });

  it('finds locks on ancestors (Depth infinity only) and below, and forgets expired ones', async () => {
    const store = new MapStore();
    const locks = new LockManager(store, same);
    const deep = await locks.create({ path: '/a', depth: 'infinity', scope: 'shared', timeoutSeconds: 60 });
    await locks.create({ path: '/a/b', depth: '0', scope: 'shared', timeoutSeconds: 60 });
    const leaf = await locks.create({ path: '/a/b/c', depth: '0', scope: 'exclusive', timeoutSeconds: 60 });
    assert.deepEqual((await locks.covering('/a/b/c')).map((l) => l.path).sort(), ['/a', '/a/b/c']);
    assert.deepEqual((await locks.below('/a')).map((l) => l.path).sort(), ['/a/b', '/a/b/c']);
    const children = await locks.forChildren('/a/b');
    assert.deepEqual(children.get('/a/b/c')?.map((l) => l.path).sort(), ['/a', '/a/b/c']);
    assert.deepEqual(children.get('/a/b/d')?.map((l) => l.path), ['/a']);
    // Expiry: the record vanishes from the store (TTL); the indexes are cleaned when read.
    await store.delete(`lock:${leaf.token}`);
    assert.deepEqual((await locks.below('/a')).map((l) => l.path), ['/a/b']);
    assert.equal((await locks.rootedAt('/a/b/c')).length, 0);
    assert.equal(store.map.has('at:/a/b/c'), false);
    await locks.removeTree('/a');
    assert.equal(await locks.get(deep.token), undefined);
    assert.deepEqual([...store.map.keys()], []);
  });
});
