import assert from 'node:assert/strict';
import { startDavServer } from '../../lib/dav/index.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { MemoryVfs } from '../support/memory-vfs.js';
import { basic, lockBody, passwordHash, startTestServer, USER, type TestServer } from './harness.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

describe('dav: LOCK, UNLOCK and the If header', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ lockTimeout: { defaultSeconds: 600, minSeconds: 30, maxSeconds: 3600 } });
    await server.request('MKCOL', '/d');
    await server.request('PUT', '/d/f.txt', { body: 'content' });
  });
  afterEach(async () => server.close());

  async function lock(path: string, headers: Record<string, string> = {}, scope: 'exclusive' | 'shared' = 'exclusive') {
    const r = await server.request('LOCK', path, { body: lockBody(scope), headers });
    return { ...r, token: String(r.headers['lock-token']).replace(/^<|>$/g, '') };
  }

  it('answers a LOCK with Lock-Token in brackets, application/xml and a lockdiscovery', async () => {
    const r = await lock('/d/f.txt', { Timeout: 'Second-120' });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['lock-token']), /^<urn:uuid:[0-9a-f-]{36}>$/);
    assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
    assert.match(r.body, /<D:lockdiscovery><D:activelock><D:locktype><D:write\/><\/D:locktype><D:lockscope><D:exclusive\/><\/D:lockscope><D:depth>infinity<\/D:depth><D:owner><D:href>tester<\/D:href><\/D:owner><D:timeout>Second-120<\/D:timeout>/);
    assert.match(r.body, new RegExp(`<D:locktoken><D:href>${r.token}</D:href></D:locktoken><D:lockroot><D:href>/d/f.txt</D:href>`));
  });

  it('clamps Timeout to the configured bounds and refuses a malformed one', async () => {
    assert.match((await lock('/d/f.txt', { Timeout: 'Infinite, Second-4100000000' })).body, /Second-3600</);
    const low = await startTestServer({ lockTimeout: { defaultSeconds: 600, minSeconds: 30, maxSeconds: 3600 } });
    try {
      await low.request('PUT', '/x', { body: '' });
      assert.match((await low.request('LOCK', '/x', { body: lockBody(), headers: { Timeout: 'Second-1' } })).body, /Second-30</);
      assert.match((await low.request('LOCK', '/x', { body: lockBody(), headers: { Timeout: 'Second-1' } })).body, /no-conflicting-lock/);
      assert.equal((await low.request('LOCK', '/y', { body: lockBody(), headers: { Timeout: 'soon' } })).status, 400);
    } finally {
      await low.close();
    }
  });

  it('refuses writes without the token (423 lock-token-submitted) and allows them with it', async () => {
    const { token } = await lock('/d/f.txt');
    const denied = await server.request('PUT', '/d/f.txt', { body: 'x' });
    assert.equal(denied.status, 423);
    assert.match(denied.body, /<D:lock-token-submitted><D:href>\/d\/f.txt<\/D:href><\/D:lock-token-submitted>/);
    assert.equal((await server.request('PUT', '/d/f.txt', { body: 'x', headers: { If: `(<${token}>)` } })).status, 204);
    assert.equal((await server.request('DELETE', '/d/f.txt')).status, 423);
    assert.equal((await server.request('MOVE', '/d/f.txt', { headers: { Destination: '/g.txt' } })).status, 423);
  });

  it('does not honour another user presenting the token', async () => {
    const { token } = await lock('/d/f.txt');
    const r = await server.request('PUT', '/d/f.txt', { body: 'x', headers: { If: `(<${token}>)` }, auth: basic('bob') });
    assert.equal(r.status, 423);
    assert.equal((await server.request('UNLOCK', '/d/f.txt', { headers: { 'Lock-Token': `<${token}>` }, auth: basic('bob') })).status, 403);
  });

  it('412 when the If header is false, 423 when it is true but the token is missing', async () => {
    const { token } = await lock('/d/f.txt');
    const etag = String((await server.request('HEAD', '/d/f.txt')).headers.etag);
    assert.equal((await server.request('PUT', '/d/f.txt', { body: 'x', headers: { If: `(<${token}> ["bogus"])` } })).status, 412);
    assert.equal((await server.request('PUT', '/d/f.txt', { body: 'x', headers: { If: `(<urn:uuid:00000000-0000-0000-0000-000000000000>)` } })).status, 412);
    assert.equal((await server.request('PUT', '/d/f.txt', { body: 'x', headers: { If: `([${etag}])` } })).status, 423);
    assert.equal((await server.request('PUT', '/d/f.txt', { body: 'x', headers: { If: `(Not <DAV:no-lock>) (<${token}>)` } })).status, 204);
  });

  it('evaluates tagged lists against the tagged resource', async () => {
    const { token } = await lock('/d', { Depth: 'infinity' });
    const host = `http://127.0.0.1:${server.port}`;
    assert.equal((await server.request('PUT', '/d/new.txt', { body: 'n', headers: { If: `<${host}/d/> (<${token}>)` } })).status, 201);
    assert.equal((await server.request('PUT', '/d/new.txt', { body: 'n', headers: { If: `</elsewhere> (<${token}>)` } })).status, 412);
  });

  it('protects members of a Depth-infinity collection lock, not those of a Depth-0 lock', async () => {
    const deep = await lock('/d', { Depth: 'infinity' });
    assert.equal((await server.request('PUT', '/d/f.txt', { body: 'x' })).status, 423);
    assert.equal((await server.request('PUT', '/d/other.txt', { body: 'x' })).status, 423);
    await server.request('UNLOCK', '/d', { headers: { 'Lock-Token': `<${deep.token}>` } });
    await lock('/d', { Depth: '0' });
    assert.equal((await server.request('PUT', '/d/f.txt', { body: 'x' })).status, 204);
    // ...but adding a member changes the locked collection itself.
    assert.equal((await server.request('PUT', '/d/other.txt', { body: 'x' })).status, 423);
  });

  it('grants shared locks together, refuses exclusive over shared and any lock over a deep exclusive one', async () => {
    assert.equal((await lock('/d/f.txt', {}, 'shared')).status, 200);
    assert.equal((await lock('/d/f.txt', {}, 'shared')).status, 200);
    const exclusive = await lock('/d/f.txt', {}, 'exclusive');
    assert.equal(exclusive.status, 423);
    assert.match(exclusive.body, /no-conflicting-lock/);
    await server.request('MKCOL', '/e');
    await server.request('PUT', '/e/m.txt', { body: 'm' });
    await lock('/e', { Depth: 'infinity' });
    assert.equal((await lock('/e/m.txt', {}, 'shared')).status, 423);
  });

  it('refuses a Depth-infinity LOCK over a locked member', async () => {
    await lock('/d/f.txt');
    assert.equal((await lock('/d', { Depth: 'infinity' })).status, 423);
    assert.equal((await lock('/d', { Depth: '0' })).status, 200);
  });

  it('refreshes through the If header, also from a member of a locked collection', async () => {
    const { token } = await lock('/d', { Depth: 'infinity', Timeout: 'Second-60' });
    const r = await server.request('LOCK', '/d/f.txt', { headers: { If: `(<${token}>)`, Timeout: 'Second-1800' } });
    assert.equal(r.status, 200);
    assert.match(r.body, /<D:timeout>Second-1800<\/D:timeout>/);
    assert.equal((await server.request('LOCK', '/d', { headers: { If: '(<urn:uuid:nope>)' } })).status, 412);
    assert.equal((await server.request('LOCK', '/d')).status, 400);
  });

  it('LOCK on an unmapped URL creates an empty resource (201); 409 without a parent', async () => {
    const r = await lock('/d/created.txt');
    assert.equal(r.status, 201);
    assert.equal((await server.vfs.stat('/d/created.txt')).size, 0);
    assert.equal((await lock('/none/x.txt')).status, 409);
  });

  it('UNLOCK takes the token with or without brackets (Windows), 409 for a wrong resource or token', async () => {
    const a = await lock('/d/f.txt');
    assert.equal((await server.request('UNLOCK', '/d', { headers: { 'Lock-Token': `<${a.token}>` } })).status, 409);
    assert.equal((await server.request('UNLOCK', '/d/f.txt', { headers: { 'Lock-Token': a.token } })).status, 204);
    assert.equal((await server.request('UNLOCK', '/d/f.txt', { headers: { 'Lock-Token': a.token } })).status, 409);
    assert.equal((await server.request('UNLOCK', '/d/f.txt')).status, 400);
  });

  it('shows locks in lockdiscovery, for members of a deep lock too', async () => {
    const { token } = await lock('/d', { Depth: 'infinity' });
    const r = await server.request('PROPFIND', '/d/', { headers: { Depth: '1' }, body: '<D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>' });
    assert.equal(r.body.split(token).length - 1, 2);
  });

  it('grants exactly one of many racing exclusive LOCKs sent to two instances on one store', async () => {
    // A store with a little latency, so that unsynchronised check-then-create would interleave.
    const inner = new MemoryStore();
    const slow = <T>(p: Promise<T>) => new Promise<T>((resolve, reject) => setTimeout(() => p.then(resolve, reject), 1));
    const store = {
      get: <T>(k: string) => slow(inner.get<T>(k)),
      set: <T>(k: string, v: T, ttl?: number) => slow(inner.set(k, v, ttl)),
      delete: (k: string) => slow(inner.delete(k)),
      setIfAbsent: <T>(k: string, v: T, ttl?: number) => slow(inner.setIfAbsent(k, v, ttl)),
      close: () => inner.close(),
    };
    const vfs = new MemoryVfs();
    const auth = { ...DAV_DEFAULTS.auth, users: [{ name: USER, passwordHash: await passwordHash() }] };
    const one = await startDavServer({ ...DAV_DEFAULTS, vfs, store, auth });
    const two = await startDavServer({ ...DAV_DEFAULTS, vfs, store, auth });
    try {
      await fetch(`${one.url}race.txt`, { method: 'PUT', body: 'x', headers: { Authorization: basic() } });
      const attempts = Array.from({ length: 16 }, (_, i) =>
        fetch(`${(i % 2 ? one : two).url}race.txt`, { method: 'LOCK', body: lockBody(), headers: { Authorization: basic(), Depth: '0' } }).then((r) => r.status),
      );
      const statuses = await Promise.all(attempts);
      assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(' '));
      assert.equal(statuses.filter((s) => s === 423).length, 15);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('shares locks between two server instances on one store (multi-instance)', async () => {
    const store = new MemoryStore();
    const vfs = new MemoryVfs();
    const auth = { ...DAV_DEFAULTS.auth, users: [{ name: USER, passwordHash: await passwordHash() }] };
    const one = await startDavServer({ ...DAV_DEFAULTS, vfs, store, auth });
    const two = await startDavServer({ ...DAV_DEFAULTS, vfs, store, auth });
    try {
      const put = await fetch(`${one.url}x.txt`, { method: 'PUT', body: 'x', headers: { Authorization: basic() } });
      assert.equal(put.status, 201);
      const locked = await fetch(`${one.url}x.txt`, { method: 'LOCK', body: lockBody(), headers: { Authorization: basic() } });
      assert.equal(locked.status, 200);
      const other = await fetch(`${two.url}x.txt`, { method: 'PUT', body: 'y', headers: { Authorization: basic() } });
      assert.equal(other.status, 423);
      const token = String(locked.headers.get('lock-token'));
      const withToken = await fetch(`${two.url}x.txt`, { method: 'PUT', body: 'y', headers: { Authorization: basic(), If: `(${token})` } });
      assert.equal(withToken.status, 204);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
