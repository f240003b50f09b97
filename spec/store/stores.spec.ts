import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createStore, FILE_STORE_NAME } from '../../lib/store/create-store.js';
import { MIGRATED_SUFFIX, OLD_FILE_STORE_NAME } from '../../lib/store/migrate-file-store.js';
import { describeWithRedis, startRedis } from '../support/redis-server.js';

const execFileAsync = promisify(execFile);

describe('file store (LMDB)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jottadav-store-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('writes its data under the given directory', async () => {
    const store = createStore({ kind: 'file', dir });
    await store.set('written', 1);
    await store.close();
    assert.ok((await stat(join(dir, FILE_STORE_NAME))).size > 0);
  });
  it('keeps a TTL across a reopen and forgets the record once it expired', async () => {
    const store = createStore({ kind: 'file', dir });
    await store.set('short', 'v', 400);
    await store.set('long', 'w', 60_000);
    await store.close();
    const again = createStore({ kind: 'file', dir });
    assert.equal(await again.get('long'), 'w');
    await delay(500);
    assert.equal(await again.get('short'), undefined);
    await again.close();
  });
  it('stores a key longer than LMDB allows (a deep path) under its digest', async () => {
    const store = createStore({ kind: 'file', dir });
    const long = `dav:props:/${'deep-folder-name/'.repeat(200)}`;
    await store.set(long, { a: 1 });
    assert.deepEqual(await store.get(long), { a: 1 });
    assert.equal(await store.get(long + 'x'), undefined);
    assert.equal(await store.delete(long), true);
    await store.close();
  });
  it('rejects a missing directory with a clear error', () => {
    assert.throws(() => createStore({ kind: 'file', dir: '' }), /data directory is required/);
  });
});

describe('file store: migration of an old jottadav-store.json', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jottadav-migrate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // The old file as keyv-file wrote it: keyv's serialized record inside keyv-file's own slot.
  const slot = (json: string, expires?: number) => ({ ...(expires ? { expire: expires } : {}), value: JSON.stringify(expires ? { value: json, expires } : { value: json }) });

  it('imports every live record once, skips expired ones, and keeps the old file renamed', async () => {
    const future = Date.now() + 3_600_000;
    const old = {
      cache: [
        ['dav:lock:/a.txt', slot(JSON.stringify({ token: 'opaquelocktoken:1', owner: 'me' }))],
        ['dav:props:/a.txt', slot(JSON.stringify({ '{urn:x}color': 'blue' }), future)],
        ['vfs:lo:f:/\n._a', slot(JSON.stringify('aGVsbG8='), Date.now() - 1000)],
      ],
      lastExpire: Date.now(),
    };
    await writeFile(join(dir, OLD_FILE_STORE_NAME), JSON.stringify(old));
    const store = createStore({ kind: 'file', dir });
    assert.deepEqual(await store.get('dav:lock:/a.txt'), { token: 'opaquelocktoken:1', owner: 'me' });
    assert.deepEqual(await store.get('dav:props:/a.txt'), { '{urn:x}color': 'blue' });
    assert.equal(await store.get('vfs:lo:f:/\n._a'), undefined);
    await store.set('dav:lock:/a.txt', 'changed since');
    await store.close();
    await assert.rejects(stat(join(dir, OLD_FILE_STORE_NAME)), /ENOENT/);
    assert.ok((await stat(join(dir, OLD_FILE_STORE_NAME + MIGRATED_SUFFIX))).size > 0);
    // A second start does not import again (the file was renamed), so later changes stay.
    const again = createStore({ kind: 'file', dir });
    assert.equal(await again.get('dav:lock:/a.txt'), 'changed since');
    await again.close();
  });

  it('an unreadable old file fails every call with a clear message, and is left alone', async () => {
    await writeFile(join(dir, OLD_FILE_STORE_NAME), '{"cache": [');
    const store = createStore({ kind: 'file', dir });
    await assert.rejects(store.get('x'), /not a readable store file/);
    await store.close();
    assert.ok((await stat(join(dir, OLD_FILE_STORE_NAME))).size > 0);
  });
});

describeWithRedis('redis store (@keyv/redis)', (redis) => {
  let url = '';
  before(() => {
    url = redis().url;
  });
  it('two store instances (two "processes") see one lease', async () => {
    const a = createStore({ kind: 'redis', url });
    const b = createStore({ kind: 'redis', url });
    try {
      const key = `shared-lease-${Date.now()}`;
      const results = await Promise.all([a.setIfAbsent(key, 'a', 5000), b.setIfAbsent(key, 'b', 5000)]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      assert.equal(await b.get(key), results[0] ? 'a' : 'b');
    } finally {
      await a.close();
      await b.close();
    }
  });
  it('regression: with Redis down, calls fail fast instead of hanging, and recover when it is back', async function () {
    this.timeout(20_000);
    const own = await startRedis();
    const store = createStore({ kind: 'redis', url: own.url });
    try {
      await store.set('k', 'v');
      await own.stop();
      await assert.rejects(store.get('k'));
      await assert.rejects(store.setIfAbsent('lease', 'x', 1000));
      const again = await startRedis(own.port);
      try {
        let value: unknown;
        for (let i = 0; i < 100 && value === undefined; i++) {
          await store.set('k2', 'back').then(() => (value = 'back'), () => delay(100));
        }
        assert.equal(value, 'back');
        assert.equal(await store.get('k2'), 'back');
      } finally {
        await store.close().catch(() => undefined);
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  });

  it('regression: a closed store leaves no timer that holds the process open (CLI commands in Redis mode exited 5 s after their work)', async () => {
    // In a process of its own, so that no other spec's timers count: connect, write, close, and
    // list what still keeps the event loop alive.
    const createStoreUrl = new URL('../../lib/store/create-store.js', import.meta.url).href;
    const script = `
      const { createStore } = await import(${JSON.stringify(createStoreUrl)});
      const store = createStore({ kind: 'redis', url: ${JSON.stringify(url)} });
      await store.set('exit-probe', 1);
      await store.close();
      setImmediate(() => console.log(JSON.stringify(process.getActiveResourcesInfo())));
    `;
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script]);
    // The socket may still be closing and stdout is a pipe; a timer is what held the process.
    assert.deepEqual((JSON.parse(stdout) as string[]).filter((r) => r === 'Timeout'), [], `timers left after close: ${stdout}`);
  });

  it('rejects a non-redis URL with a clear error', () => {
    assert.throws(() => createStore({ kind: 'redis', url: 'http://127.0.0.1:1' }), /not a redis:\/\/ URL/);
  });
});
