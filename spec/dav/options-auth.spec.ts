import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from '../../lib/dav/index.js';
import { parseBasic } from '../../lib/dav/auth.js';
import { basic, startTestServer, type TestServer } from './harness.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

describe('dav: OPTIONS and authentication', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ basePath: '/dav' });
  });
  after(async () => server.close());

  it('answers OPTIONS on the server root outside the base path with DAV 1, 2 and MS-Author-Via', async () => {
    for (const path of ['/', '/dav/', '/dav/missing/thing', '*']) {
      const r = await server.request('OPTIONS', path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.dav, '1, 2');
      assert.equal(r.headers['ms-author-via'], 'DAV');
      assert.match(String(r.headers.allow), /PROPFIND/);
      assert.match(String(r.headers.allow), /LOCK/);
    }
  });

  it('challenges OPTIONS without credentials (Windows DavClnt starts WebClient on the 401)', async () => {
    const r = await server.request('OPTIONS', '/', { auth: false });
    assert.equal(r.status, 401);
    assert.match(String(r.headers['www-authenticate']), /^Basic realm="jottadav", charset="UTF-8"$/);
  });

  it('splits Basic credentials on the first colon and decodes UTF-8', () => {
    assert.deepEqual(parseBasic(`Basic ${Buffer.from('jörg:a:b:c').toString('base64')}`), { user: 'jörg', password: 'a:b:c' });
    assert.equal(parseBasic('Basic !!!'), undefined);
    assert.equal(parseBasic(`Basic ${Buffer.from('nocolon').toString('base64')}`), undefined);
    assert.equal(parseBasic('Bearer abc'), undefined);
  });

  it('accepts a password containing colons, and DOMAIN\\user from Windows', async () => {
    assert.equal((await server.request('PROPFIND', '/dav/', { headers: { Depth: '0' } })).status, 207);
    assert.equal((await server.request('PROPFIND', '/dav/', { headers: { Depth: '0' }, auth: basic('CORP\\alice') })).status, 207);
  });

  it('hashes with scrypt and verifies in constant time; bad hashes never verify', async () => {
    const hash = await hashPassword('sécret', { N: 1024, r: 8, p: 1 });
    assert.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('sécret', hash), true);
    assert.equal(await verifyPassword('secret', hash), false);
    assert.equal(await verifyPassword('x', 'plain-text'), false);
    assert.equal(await verifyPassword('x', 'scrypt$99999999$8$1$AA==$AA=='), false);
  });

  it('answers 403 to a read-only user writing, and lets it read', async () => {
    assert.equal((await server.request('PROPFIND', '/dav/', { headers: { Depth: '0' }, auth: basic('reader') })).status, 207);
    assert.equal((await server.request('PUT', '/dav/ro.txt', { body: 'x', auth: basic('reader') })).status, 403);
    assert.equal((await server.request('MKCOL', '/dav/ro', { auth: basic('reader') })).status, 403);
  });

  it('throttles a user name from an address after repeated failures (429 with Retry-After), even for the right password', async () => {
    const local = await startTestServer();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await local.request('PROPFIND', '/', { headers: { Depth: '0' }, auth: basic('alice', `wrong${i}`) })).status);
      assert.deepEqual(statuses, Array(10).fill(401));
      const blocked = await local.request('PROPFIND', '/', { headers: { Depth: '0' }, auth: basic('alice') });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers['retry-after']) > 0);
    } finally {
      await local.close();
    }
  });

  it('refuses to start without users unless anonymous access is configured explicitly', async () => {
    await assert.rejects(startTestServer({ auth: { ...DAV_DEFAULTS.auth, users: [] } }), /anonymous/);
    const open = await startTestServer({ auth: { ...DAV_DEFAULTS.auth, anonymous: { readOnly: false } } });
    try {
      assert.equal((await open.request('PROPFIND', '/', { headers: { Depth: '0' }, auth: false })).status, 207);
    } finally {
      await open.close();
    }
  });

  it('answers 404 outside the base path and 405 for unknown methods', async () => {
    assert.equal((await server.request('PROPFIND', '/elsewhere/', { headers: { Depth: '0' } })).status, 404);
    const r = await server.request('PATCH', '/dav/x');
    assert.equal(r.status, 405);
    assert.match(String(r.headers.allow), /PROPPATCH/);
  });
});

describe('dav: server plumbing (TLS, request log)', () => {
  it('serves over HTTPS when given a certificate (Windows sends Basic auth only over TLS)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const https = await import('node:https');
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    const fixtures = join(dir, 'spec', 'dav', 'fixtures');
    const tls = { cert: await readFile(join(fixtures, 'localhost-cert.pem')), key: await readFile(join(fixtures, 'localhost-key.pem')) };
    const server = await startTestServer({ tls });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const status = await new Promise<number>((resolve, reject) => {
        const req = https.request(`${server.url}`, { method: 'PROPFIND', headers: { Authorization: basic(), Depth: '0' }, ca: tls.cert }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 207);
    } finally {
      await server.close();
    }
  });

  it('logs one entry per request with method, path, status, bytes, duration and user', async () => {
    const server = await startTestServer();
    try {
      await server.request('PUT', '/log%20me.txt', { body: 'twelve bytes' });
      await server.request('GET', '/log%20me.txt');
      await server.request('GET', '/nothing', { auth: false });
      for (let i = 0; i < 50 && server.log.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      const [put, get, anon] = server.log;
      assert.deepEqual({ ...put, durationMs: 0 }, { method: 'PUT', path: '/log%20me.txt', status: 201, bytes: 0, durationMs: 0, user: 'alice' });
      assert.equal(get?.bytes, 12);
      assert.equal(get?.status, 200);
      assert.equal(anon?.status, 401);
      assert.equal(anon?.user, undefined);
    } finally {
      await server.close();
    }
  });
});

describe('dav: one Vfs per user', () => {
  it('gives each user their own tree and their own lock/property namespace', async () => {
    const { MemoryVfs } = await import('../support/memory-vfs.js');
    const trees = new Map<string, InstanceType<typeof MemoryVfs>>();
    const vfsFor = (user: string | undefined) => {
      const key = user ?? '';
      if (!trees.has(key)) trees.set(key, new MemoryVfs());
      return trees.get(key) as InstanceType<typeof MemoryVfs>;
    };
    const server = await startTestServer({ vfs: vfsFor });
    try {
      assert.equal((await server.request('PUT', '/same.txt', { body: 'alice' })).status, 201);
      assert.equal((await server.request('GET', '/same.txt', { auth: basic('bob') })).status, 404);
      assert.equal((await server.request('PUT', '/same.txt', { body: 'bob', auth: basic('bob') })).status, 201);
      const lock = await server.request('LOCK', '/same.txt', {
        body: '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>',
      });
      assert.equal(lock.status, 200);
      // Alice's lock on her /same.txt does not lock Bob's /same.txt.
      assert.equal((await server.request('PUT', '/same.txt', { body: 'bob 2', auth: basic('bob') })).status, 204);
      assert.equal((await server.request('GET', '/same.txt')).body, 'alice');
    } finally {
      await server.close();
    }
  });
});
