import assert from 'node:assert/strict';
import { MemoryVfs } from '../support/memory-vfs.js';
import type { Vfs } from '../../lib/vfs/index.js';
import { hrefsOf, PROPFIND_ALL, startTestServer, type TestServer } from './harness.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

/** Counts Vfs calls so the spec can pin "one list per collection, no stat per child". */
function counting(vfs: MemoryVfs): { vfs: Vfs; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const proxy = new Proxy(vfs, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { vfs: proxy, calls };
}

describe('dav: PROPFIND', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ basePath: '/base path/' });
    await server.request('MKCOL', '/base%20path/docs');
    await server.request('PUT', '/base%20path/docs/a%20(1).txt', { body: 'hello' });
    await server.request('PUT', '/base%20path/docs/%C3%A9t%C3%A9%20%23%25%26.txt', { body: 'x' });
    await server.request('MKCOL', '/base%20path/docs/sub');
  });
  after(async () => server.close());

  it('refuses Depth: infinity and a missing Depth with 403 propfind-finite-depth', async () => {
    for (const headers of [{ Depth: 'infinity' }, {}] as Array<Record<string, string>>) {
      const r = await server.request('PROPFIND', '/base%20path/', { headers, body: PROPFIND_ALL });
      assert.equal(r.status, 403);
      assert.match(r.body, /<D:propfind-finite-depth\/>/);
    }
    assert.equal((await server.request('PROPFIND', '/base%20path/', { headers: { Depth: '2' } })).status, 400);
  });

  it('lists Depth 1 with path-only, upper-case-escaped hrefs; collections end in /', async () => {
    const r = await server.request('PROPFIND', '/base%20path/docs', { headers: { Depth: '1' }, body: PROPFIND_ALL });
    assert.equal(r.status, 207);
    assert.match(String(r.headers['content-type']), /^application\/xml; charset=utf-8/);
    assert.deepEqual(hrefsOf(r.body).sort(), [
      '/base%20path/docs/',
      '/base%20path/docs/%C3%A9t%C3%A9%20%23%25%26.txt',
      '/base%20path/docs/a%20(1).txt',
      '/base%20path/docs/sub/',
    ]);
    assert.match(r.body, /<D:getcontentlength>5<\/D:getcontentlength>/);
    assert.match(r.body, /<D:resourcetype><D:collection\/><\/D:resourcetype>/);
    assert.match(r.body, /<D:getetag>"[^"]+"<\/D:getetag>/);
    assert.match(r.body, /<D:getlastmodified>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT<\/D:getlastmodified>/);
    assert.match(r.body, /<D:supportedlock><D:lockentry>/);
  });

  it('answers Depth 0 with the resource alone', async () => {
    const r = await server.request('PROPFIND', '/base%20path/docs/', { headers: { Depth: '0' }, body: PROPFIND_ALL });
    assert.deepEqual(hrefsOf(r.body), ['/base%20path/docs/']);
  });

  it('puts unknown properties in a 404 propstat and known ones in a 200 propstat', async () => {
    const body = '<D:propfind xmlns:D="DAV:" xmlns:z="urn:z"><D:prop><D:getcontentlength/><z:nothing/><D:quota-used-bytes/></D:prop></D:propfind>';
    const r = await server.request('PROPFIND', '/base%20path/docs/a%20(1).txt', { headers: { Depth: '0' }, body });
    assert.match(r.body, /<D:propstat><D:prop><D:getcontentlength>5<\/D:getcontentlength><\/D:prop><D:status>HTTP\/1.1 200 OK<\/D:status><\/D:propstat>/);
    assert.match(r.body, /<D:propstat><D:prop><x:nothing xmlns:x="urn:z"\/><D:quota-used-bytes\/><\/D:prop><D:status>HTTP\/1.1 404 Not Found<\/D:status>/);
  });

  it('answers propname with names only, and allprop+include with the included quota', async () => {
    const names = await server.request('PROPFIND', '/base%20path/docs/', { headers: { Depth: '0' }, body: '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>' });
    assert.match(names.body, /<D:resourcetype\/>/);
    assert.doesNotMatch(names.body, /<D:collection\/>/);
    const incl = await server.request('PROPFIND', '/base%20path/docs/', {
      headers: { Depth: '0' },
      body: '<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:quota-used-bytes/></D:include></D:propfind>',
    });
    assert.match(incl.body, /<D:quota-used-bytes>6<\/D:quota-used-bytes>/);
    assert.match(incl.body, /<D:displayname>docs<\/D:displayname>/);
  });

  it('finds an NFD-spelled request name stored as NFC', async () => {
    const nfd = encodeURIComponent('été #%&.txt'.normalize('NFD'));
    const r = await server.request('PROPFIND', `/base%20path/docs/${nfd}`, { headers: { Depth: '0' }, body: PROPFIND_ALL });
    assert.equal(r.status, 207);
    assert.deepEqual(hrefsOf(r.body), ['/base%20path/docs/%C3%A9t%C3%A9%20%23%25%26.txt']);
  });

  it('rejects malformed XML, DOCTYPEs and entity declarations with 400', async () => {
    const bodies = [
      '<D:propfind xmlns:D="DAV:"><D:prop>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
      '<D:propfind xmlns:D="DAV:"><D:prop><q:x/></D:prop></D:propfind>',
      '<D:propfind xmlns:D="DAV:"><D:prop><D:x>&bogus;</D:x></D:prop></D:propfind>',
      '<D:nonsense xmlns:D="DAV:"/>',
    ];
    for (const body of bodies) assert.equal((await server.request('PROPFIND', '/base%20path/', { headers: { Depth: '0' }, body })).status, 400, body);
  });

  it('makes one Vfs.list per collection and no call per child (regression: webdav-server made ~10 per child)', async () => {
    const counted = counting(new MemoryVfs());
    const local = await startTestServer({ vfs: counted.vfs });
    try {
      await local.request('MKCOL', '/big');
      for (let i = 0; i < 50; i++) await local.request('PUT', `/big/f${i}.txt`, { body: String(i) });
      for (const k of Object.keys(counted.calls)) delete counted.calls[k];
      const r = await local.request('PROPFIND', '/big/', { headers: { Depth: '1' }, body: PROPFIND_ALL });
      assert.equal(hrefsOf(r.body).length, 51);
      assert.equal(counted.calls.list, 1);
      assert.equal(counted.calls.stat, 1);
      assert.equal(counted.calls.read, undefined);
    } finally {
      await local.close();
    }
  });

  it('reads the lock and property store a bounded number of times for a Depth-1 listing, whatever its size', async () => {
    const { MemoryStore } = await import('../../lib/store/memory-store.js');
    const store = new MemoryStore();
    let reads = 0;
    const get = store.get.bind(store);
    store.get = (<T>(key: string) => {
      reads++;
      return get<T>(key);
    }) as typeof store.get;
    const local = await startTestServer({ store });
    try {
      await local.request('MKCOL', '/big');
      for (let i = 0; i < 40; i++) await local.request('PUT', `/big/f${i}.txt`, { body: String(i) });
      await local.request('PROPPATCH', '/big/f7.txt', { body: '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><z:t xmlns:z="urn:z">seven</z:t></D:prop></D:set></D:propertyupdate>' });
      await local.request('LOCK', '/big/f9.txt', { body: '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>' });
      reads = 0;
      const r = await local.request('PROPFIND', '/big/', { headers: { Depth: '1' }, body: PROPFIND_ALL });
      assert.equal(hrefsOf(r.body).length, 41);
      assert.match(r.body, /<x:t xmlns:x="urn:z">seven<\/x:t>/);
      assert.match(r.body, /<D:href>\/big\/f9.txt<\/D:href><D:propstat><D:prop>.*<D:activelock>/);
      assert.ok(reads <= 12, `${reads} store reads for 40 children`);
    } finally {
      await local.close();
    }
  });

  it('builds a 5,000-entry multistatus (linear assembly, every entry present)', async () => {
    const vfs = new MemoryVfs();
    const local = await startTestServer({ vfs });
    try {
      await vfs.mkdir('/many');
      const { Readable } = await import('node:stream');
      for (let i = 0; i < 5000; i++) await vfs.write(`/many/file-${i}.bin`, Readable.from([Buffer.from('x')]));
      const r = await local.request('PROPFIND', '/many/', { headers: { Depth: '1' }, body: PROPFIND_ALL });
      assert.equal(r.status, 207);
      assert.equal(hrefsOf(r.body).length, 5001);
    } finally {
      await local.close();
    }
  });

  it('streams a large multistatus in chunks (well-formed, every child once); a small one keeps its Content-Length', async () => {
    const vfs = new MemoryVfs();
    const local = await startTestServer({ vfs });
    try {
      await vfs.mkdir('/many');
      const { Readable } = await import('node:stream');
      for (let i = 0; i < 3000; i++) await vfs.write(`/many/file-${i}.bin`, Readable.from([Buffer.from('x')]));
      const big = await local.request('PROPFIND', '/many/', { headers: { Depth: '1' }, body: PROPFIND_ALL });
      assert.equal(big.status, 207);
      assert.equal(big.headers['transfer-encoding'], 'chunked');
      assert.equal(big.headers['content-length'], undefined);
      assert.match(big.headers['content-type'] ?? '', /^application\/xml/);
      assert.ok(big.body.startsWith('<?xml'));
      assert.ok(big.body.endsWith('</D:response></D:multistatus>'));
      const hrefs = hrefsOf(big.body);
      assert.equal(hrefs.length, 3001);
      assert.equal(new Set(hrefs).size, 3001);
      assert.equal(big.body.split('<D:response>').length, 3002, 'no response is cut or doubled at a batch boundary');

      const small = await server.request('PROPFIND', '/base%20path/docs/', { headers: { Depth: '1' }, body: PROPFIND_ALL });
      assert.equal(small.status, 207);
      assert.equal(small.headers['content-length'], String(Buffer.byteLength(small.body)));
      assert.equal(small.headers['transfer-encoding'], undefined);
    } finally {
      await local.close();
    }
  });

  it('finds locks and dead properties of children in a large listing, also when set under another case', async () => {
    const vfs = new MemoryVfs({ caseInsensitive: true });
    const local = await startTestServer({ vfs, caseInsensitive: true });
    try {
      await vfs.mkdir('/many');
      const { Readable } = await import('node:stream');
      for (let i = 0; i < 2000; i++) await vfs.write(`/many/File-${i}.txt`, Readable.from([Buffer.from('x')]));
      const set = (value: string) => `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><z:t xmlns:z="urn:z">${value}</z:t></D:prop></D:set></D:propertyupdate>`;
      assert.equal((await local.request('PROPPATCH', '/many/File-10.txt', { body: set('as listed') })).status, 207);
      assert.equal((await local.request('PROPPATCH', '/many/FILE-1999.TXT', { body: set('other case') })).status, 207);
      const lock = await local.request('LOCK', '/many/file-1500.txt', { body: '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>' });
      assert.equal(lock.status, 200);
      const r = await local.request('PROPFIND', '/many/', { headers: { Depth: '1' }, body: PROPFIND_ALL });
      assert.equal(hrefsOf(r.body).length, 2001);
      const responseOf = (href: string) => r.body.split('<D:response>').find((part) => part.startsWith(`<D:href>${href}</D:href>`)) ?? '';
      assert.match(responseOf('/many/File-10.txt'), /<x:t xmlns:x="urn:z">as listed<\/x:t>/);
      assert.match(responseOf('/many/File-1999.txt'), /<x:t xmlns:x="urn:z">other case<\/x:t>/);
      assert.match(responseOf('/many/File-1500.txt'), /<D:activelock>/);
      assert.equal(r.body.match(/<x:t /g)?.length, 2);
      assert.equal(r.body.match(/<D:activelock>/g)?.length, 1);
      assert.match(responseOf('/many/File-11.txt'), /<D:lockdiscovery><\/D:lockdiscovery>/);
    } finally {
      await local.close();
    }
  });

  it('holds a large listing back while the client does not read, and stops it when the client hangs up', async () => {
    const { startDavServer } = await import('../../lib/dav/index.js');
    const { MemoryStore } = await import('../../lib/store/memory-store.js');
    const { Readable } = await import('node:stream');
    const http = await import('node:http');
    const vfs = new MemoryVfs();
    await vfs.mkdir('/many');
    // Long names make the body (~25 MiB) far larger than what loopback socket buffers absorb.
    const long = 'n'.repeat(200);
    for (let i = 0; i < 12_000; i++) await vfs.write(`/many/${long}-${i}.bin`, Readable.from([Buffer.from('x')]));
    const log: Array<{ status: number; error?: string }> = [];
    const running = await startDavServer({ ...DAV_DEFAULTS, vfs, store: new MemoryStore(), auth: { ...DAV_DEFAULTS.auth, anonymous: { readOnly: false } }, logger: (e) => log.push(e) });
    const responses: import('node:http').ServerResponse[] = [];
    running.server.on('request', (_req: unknown, res: import('node:http').ServerResponse) => responses.push(res));
    const port = Number(new URL(running.url).port);
    const open = () =>
      new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'PROPFIND', path: '/many/', headers: { Depth: '1' }, agent: false }, resolve);
        req.on('error', reject);
        req.end();
      });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
    try {
      const paused = await open();
      paused.pause();
      const res = responses[0]!;
      // Wait until the server has filled the socket and stopped producing.
      let buffered = -1;
      while (res.socket && res.socket.writableLength !== buffered) {
        buffered = res.socket.writableLength;
        await settle();
      }
      assert.equal(res.writableEnded, false, 'the listing must wait for the client');
      assert.ok(buffered < 1024 * 1024, `${buffered} bytes queued in the process for a client that is not reading`);
      // Reading on delivers the whole listing.
      let body = '';
      paused.setEncoding('utf8');
      paused.on('data', (c: string) => (body += c));
      paused.resume();
      await new Promise((resolve) => paused.on('end', resolve));
      assert.equal(hrefsOf(body).length, 12_001);

      const hungUp = await open();
      await new Promise((resolve) => hungUp.once('data', resolve));
      hungUp.destroy();
      await new Promise((resolve) => responses[1]!.once('close', resolve));
      await settle();
      assert.equal(responses[1]!.writableEnded, false, 'a listing nobody reads is not finished');
      assert.deepEqual(log.filter((e) => e.error !== undefined || e.status >= 500), []);
      const after = await open();
      assert.equal(after.statusCode, 207);
      after.resume();
      await new Promise((resolve) => after.on('end', resolve));
    } finally {
      await running.close();
    }
  });
});
