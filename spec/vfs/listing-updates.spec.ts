/**
 * Changes made through the bridge update the cached listing in place instead of dropping it (a
 * run of PUTs into one folder re-listed it after every file), without ever letting a listing that
 * predates a change hide it — also when several instances share the store.
 */
import assert from 'node:assert/strict';
import type { RemoteEntry } from '../../lib/storage/backend.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { NameCodec } from '../../lib/vfs/name-codec.js';
import { SharedDirCache } from '../../lib/vfs/shared-dir-cache.js';
import type { Entry } from '../../lib/vfs/types.js';
import { body, rig, type Rig } from './helpers.js';

const file = (name: string): RemoteEntry => ({ name, kind: 'file', size: 1, md5: 'c4ca4238a0b923820dcc509a6f75849b' });
const names = (entries: RemoteEntry[] | undefined) => entries?.map((e) => e.name).sort();

for (const sharedCache of [false, true]) describe(`BackendVfs: writes update the cached listing in place (${sharedCache ? 'in the shared store' : 'in process memory'})`, () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig({ sharedCache });
    await r.vfs.mkdir('/d');
    await r.vfs.mkdir('/e');
    await r.vfs.write('/d/keep.txt', body('keep'));
    await r.vfs.write('/d/gone.txt', body('gone'));
    await r.vfs.list('/d');
    await r.vfs.list('/e');
    r.backend.resetCalls();
  });
  afterEach(() => r.close());

  const listed = async (path: string) => (await r.vfs.list(path)).map((e) => e.name).sort();

  it('regression: every PUT into a folder re-listed it — now no listing, and the new entry shows at once', async () => {
    for (let i = 0; i < 20; i++) {
      // What the dav PUT does: stat the target, then write.
      await r.vfs.stat(`/d/n${i}.txt`, { trustMisses: true }).catch(() => undefined);
      await r.vfs.write(`/d/n${i}.txt`, body(`n${i}`));
    }
    assert.equal(r.backend.calls.list, 0);
    assert.equal(r.backend.calls.stat, 0);
    assert.equal((await listed('/d')).length, 22);
    assert.equal((await r.vfs.stat('/d/n7.txt')).size, 2);
    assert.equal(r.backend.calls.list, 0);
  });

  it('regression: concurrent PUTs into one folder lost the race for the listing and re-listed it; they queue and all land', async () => {
    await Promise.all(Array.from({ length: 16 }, (_, i) => r.vfs.write(`/d/c${i}.txt`, body(`c${i}`))));
    assert.equal((await listed('/d')).length, 18);
    assert.equal(r.backend.calls.list, 0);
  });

  it('replacing a file (other case) updates its entry, keeping the stored name', async () => {
    await r.vfs.write('/d/KEEP.TXT', body('replaced!'));
    assert.deepEqual(await listed('/d'), ['gone.txt', 'keep.txt']);
    assert.equal((await r.vfs.stat('/d/keep.txt')).size, 9);
    assert.equal(r.backend.calls.list, 0);
  });

  it('mkdir, remove, move, copy and setModified keep both listings right without re-listing', async () => {
    await r.vfs.mkdir('/d/sub');
    await r.vfs.remove('/d/gone.txt');
    await r.vfs.move('/d/keep.txt', '/e/moved.txt', { overwrite: false });
    await r.vfs.copy('/e/moved.txt', '/d/copy.txt', { overwrite: false });
    const when = new Date('2020-02-02T02:02:02Z');
    await r.vfs.setModified('/d/copy.txt', when);
    assert.deepEqual(await listed('/d'), ['copy.txt', 'sub']);
    assert.deepEqual(await listed('/e'), ['moved.txt']);
    assert.equal((await r.vfs.stat('/d/copy.txt')).modified?.getTime(), when.getTime());
    assert.equal((await r.vfs.stat('/e/moved.txt')).size, 4);
    assert.equal(r.backend.calls.list, 0);
    // And the cache says what the backend holds.
    assert.deepEqual(names(await r.backend.list('/d')), ['copy.txt', 'sub']);
    assert.deepEqual(names(await r.backend.list('/e')), ['moved.txt']);
  });

  it('another instance on the same store sees the updated listing without re-listing', async () => {
    const other = r.twin();
    await r.vfs.write('/d/from-one.txt', body('1'));
    await other.write('/d/from-other.txt', body('22'));
    assert.deepEqual((await other.list('/d')).map((e) => e.name).sort(), ['from-one.txt', 'from-other.txt', 'gone.txt', 'keep.txt']);
    assert.deepEqual(await listed('/d'), ['from-one.txt', 'from-other.txt', 'gone.txt', 'keep.txt']);
    assert.equal(r.backend.calls.list, 0);
  });

  it('a failed upload still drops the listing (the remote may hold a pending revision)', async () => {
    r.backend.failNext('upload', 'UNAVAILABLE');
    await assert.rejects(r.vfs.write('/d/failed.txt', body('f')));
    assert.deepEqual(await listed('/d'), ['gone.txt', 'keep.txt']);
    assert.equal(r.backend.calls.list, 1);
  });
});

describe('BackendVfs: the work a run of writes into one cached folder costs', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
    await r.vfs.mkdir('/d');
    for (let i = 0; i < 20; i++) await r.vfs.write(`/d/old-${i}.txt`, body(`old ${i}`));
    await r.vfs.list('/d');
  });
  afterEach(() => r.close());

  /** Stored names decoded while `work` runs. */
  const decodes = async (work: () => Promise<unknown>) => {
    const decode = NameCodec.prototype.decode;
    let n = 0;
    NameCodec.prototype.decode = function (this: NameCodec, stored: string) {
      n++;
      return decode.call(this, stored);
    };
    try {
      await work();
    } finally {
      NameCodec.prototype.decode = decode;
    }
    return n;
  };

  it('regression: every PUT into a cached folder decoded all its names again (time quadratic in its size); now about its own name once', async () => {
    const puts = 40;
    const n = await decodes(async () => {
      for (let i = 0; i < puts; i++) {
        // What the dav PUT does: stat the target, then write.
        await r.vfs.stat(`/d/n${i}.txt`, { trustMisses: true }).catch(() => undefined);
        await r.vfs.write(`/d/n${i}.txt`, body(`n${i}`));
      }
      await r.vfs.remove('/d/old-3.txt');
      await r.vfs.write('/d/old-4.txt', body('replaced'));
    });
    // Decoding the whole folder after each write would be 20 + 40 * 30 names on average and more.
    assert.ok(n <= 4 * (puts + 2), `${n} names decoded for ${puts + 2} changes`);
    // What was carried over is what a fresh decode of the same listing gives.
    const fresh = r.twin();
    const shape = (entries: readonly Entry[]) => entries.map((e) => [e.name, e.path, e.size, e.etag]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    assert.deepEqual(shape(await r.vfs.list('/d')), shape(await fresh.list('/d')));
    assert.equal((await r.vfs.list('/d')).length, 20 + puts - 1);
  });

  it('list() hands out the same frozen listing while the folder is unchanged, and a new one after a change', async () => {
    const first = await r.vfs.list('/d');
    assert.equal(await r.vfs.list('/d'), first);
    assert.ok(Object.isFrozen(first) && first.every((e) => Object.isFrozen(e)));
    await r.vfs.write('/d/more.txt', body('more'));
    const second = await r.vfs.list('/d');
    assert.notEqual(second, first);
    assert.equal(second.length, first.length + 1);
  });
});

describe('SharedDirCache.update with several instances on one store', () => {
  let store: MemoryStore;
  let a: SharedDirCache;
  let b: SharedDirCache;
  beforeEach(async () => {
    store = new MemoryStore();
    a = new SharedDirCache(store, { ttlMs: 60_000 });
    b = new SharedDirCache(store, { ttlMs: 60_000 });
    await a.put(['f'], [file('x')]);
  });
  afterEach(() => store.close());

  it('an update from one instance is read by the other', async () => {
    await a.update(['f'], (es) => [...es, file('y')]);
    assert.deepEqual(names(await b.get(['f'])), ['x', 'y']);
  });

  it('two concurrent updates: both land, or nothing stays cached (never a lost one)', async () => {
    await Promise.all([a.update(['f'], (es) => [...es, file('y')]), b.update(['f'], (es) => [...es, file('z')])]);
    const after = names(await a.get(['f']));
    assert.ok(after === undefined || JSON.stringify(after) === JSON.stringify(['x', 'y', 'z']), JSON.stringify(after));
    assert.deepEqual(names(await b.get(['f'])), after);
  });

  it('an invalidation racing an update leaves nothing cached', async () => {
    await Promise.all([a.update(['f'], (es) => [...es, file('y')]), b.invalidate(['f'])]);
    assert.equal(await a.get(['f']), undefined);
    assert.equal(await b.get(['f']), undefined);
  });

  it('a listing fetched before an update made elsewhere is not cached over it', async () => {
    const filled = await a.fill(['f'], async () => {
      const stale = [file('x')];
      await b.update(['f'], (es) => [...es, file('y')]);
      return stale;
    });
    assert.deepEqual(names(filled), ['x']);
    assert.equal(await a.get(['f']), undefined);
    assert.equal(await b.get(['f']), undefined);
  });

  it('a burst of updates to one folder from one instance is written in a few batches, every change kept, each caller answered after its own', async () => {
    let listingWrites = 0;
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (key !== 'set' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
        return (k: string, v: unknown, ttl?: number) => {
          if (k.startsWith('ls:')) listingWrites++;
          return target.set(k, v, ttl);
        };
      },
    });
    const batched = new SharedDirCache(counting, { ttlMs: 60_000 });
    const added = Array.from({ length: 40 }, (_, i) => `n${String(i).padStart(2, '0')}`);
    const seen: string[][] = [];
    await Promise.all(
      added.map(async (name) => {
        await batched.update(['f'], (es: RemoteEntry[]) => [...es, file(name)]);
        // Answered only once the listing holds this change.
        seen.push(names(await b.get(['f'])) ?? []);
        assert.ok(seen.at(-1)!.includes(name), name);
      }),
    );
    assert.deepEqual(names(await b.get(['f'])), [...added, 'x'].sort());
    assert.ok(listingWrites < added.length / 2, `${listingWrites} listing writes for ${added.length} updates`);
  });

  it('an update of a folder that is not cached caches nothing', async () => {
    await a.update(['other'], (es) => [...es, file('y')]);
    assert.equal(await b.get(['other']), undefined);
  });
});
