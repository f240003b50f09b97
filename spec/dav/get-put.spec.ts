import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { MemoryVfs } from '../support/memory-vfs.js';
import type { ByteRange, Vfs, WriteOptions, WriteResult } from '../../lib/vfs/index.js';
import { basic, startTestServer, type TestServer } from './harness.js';

/** Sends raw bytes and collects everything until the server closes or `until` matches. */
function raw(port: number, data: string | Buffer[], until?: RegExp, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(text);
    }, timeoutMs);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      if (until?.test(text)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on('error', reject);
    if (typeof data === 'string') socket.write(data);
    else for (const d of data) socket.write(d);
  });
}

describe('dav: GET, HEAD and PUT', () => {
  let server: TestServer;
  const content = '0123456789abcdefghij';
  beforeEach(async () => {
    server = await startTestServer();
    await server.request('PUT', '/f.txt', { body: content });
  });
  afterEach(async () => server.close());

  it('serves ETag, Last-Modified, Content-Length and a single range (206, Content-Range)', async () => {
    const full = await server.request('GET', '/f.txt');
    assert.equal(full.status, 200);
    assert.equal(full.body, content);
    assert.match(String(full.headers.etag), /^"[0-9a-f]{32}-20"$/);
    assert.ok(full.headers['last-modified']);
    assert.equal(full.headers['accept-ranges'], 'bytes');
    const part = await server.request('GET', '/f.txt', { headers: { Range: 'bytes=5-9' } });
    assert.equal(part.status, 206);
    assert.equal(part.body, '56789');
    assert.equal(part.headers['content-range'], 'bytes 5-9/20');
    assert.equal((await server.request('GET', '/f.txt', { headers: { Range: 'bytes=-3' } })).body, 'hij');
    assert.equal((await server.request('GET', '/f.txt', { headers: { Range: 'bytes=18-' } })).body, 'ij');
    const bad = await server.request('GET', '/f.txt', { headers: { Range: 'bytes=50-60' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], 'bytes */20');
    // Several ranges: a multipart/byteranges answer (spec/e2e/multi-range-get.spec.ts has the rules).
    const several = await server.request('GET', '/f.txt', { headers: { Range: 'bytes=0-1,4-5' } });
    assert.equal(several.status, 206);
    assert.match(String(several.headers['content-type']), /^multipart\/byteranges; boundary=/);
  });

  it('honours If-Range: a stale validator gets the whole body', async () => {
    const etag = String((await server.request('HEAD', '/f.txt')).headers.etag);
    assert.equal((await server.request('GET', '/f.txt', { headers: { Range: 'bytes=0-1', 'If-Range': etag } })).status, 206);
    assert.equal((await server.request('GET', '/f.txt', { headers: { Range: 'bytes=0-1', 'If-Range': '"stale"' } })).status, 200);
  });

  it('answers conditional GETs: If-None-Match 304, If-Match 412, If-Modified-Since 304, If-Unmodified-Since 412', async () => {
    const head = await server.request('HEAD', '/f.txt');
    const etag = String(head.headers.etag);
    const lastModified = String(head.headers['last-modified']);
    assert.equal((await server.request('GET', '/f.txt', { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await server.request('GET', '/f.txt', { headers: { 'If-None-Match': '"other"' } })).status, 200);
    assert.equal((await server.request('GET', '/f.txt', { headers: { 'If-Match': '"other"' } })).status, 412);
    assert.equal((await server.request('GET', '/f.txt', { headers: { 'If-Match': etag } })).status, 200);
    assert.equal((await server.request('GET', '/f.txt', { headers: { 'If-Modified-Since': lastModified } })).status, 304);
    assert.equal((await server.request('GET', '/f.txt', { headers: { 'If-Unmodified-Since': 'Thu, 01 Jan 1998 00:00:00 GMT' } })).status, 412);
  });

  it('answers HEAD on a collection with 200, and GET with an escaped HTML listing', async () => {
    await server.request('MKCOL', '/d');
    await server.request('PUT', '/d/%3Cscript%3Ealert(1)%3C%2Fscript%3E.txt'.replace('%2F', '_'), { body: 'x' });
    assert.equal((await server.request('HEAD', '/d/')).status, 200);
    const page = await server.request('GET', '/d/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(page.body, /<script>/);
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;_script&gt;.txt/);
  });

  it('PUT answers 201 then 204, 409 without a parent, 405 on a collection, and X-OC-Mtime: accepted', async () => {
    assert.equal((await server.request('PUT', '/new.txt', { body: 'a' })).status, 201);
    assert.equal((await server.request('PUT', '/new.txt', { body: 'b' })).status, 204);
    assert.equal((await server.request('PUT', '/missing/new.txt', { body: 'a' })).status, 409);
    await server.request('MKCOL', '/coll');
    assert.equal((await server.request('PUT', '/coll', { body: 'a' })).status, 405);
    const r = await server.request('PUT', '/mtime.txt', { body: 'm', headers: { 'X-OC-Mtime': '1500000000' } });
    assert.equal(r.headers['x-oc-mtime'], 'accepted');
    assert.equal((await server.vfs.stat('/mtime.txt')).modified?.getTime(), 1500000000 * 1000);
    assert.equal((await server.request('PUT', '/mtime.txt', { body: 'm', headers: { 'X-OC-Mtime': 'yesterday' } })).status, 400);
  });

  it('PUT honours If-Match and If-None-Match: * (davfs2, no lost updates)', async () => {
    assert.equal((await server.request('PUT', '/f.txt', { body: 'x', headers: { 'If-None-Match': '*' } })).status, 412);
    assert.equal((await server.request('PUT', '/g.txt', { body: 'x', headers: { 'If-None-Match': '*' } })).status, 201);
    assert.equal((await server.request('PUT', '/f.txt', { body: 'x', headers: { 'If-Match': '"stale"' } })).status, 412);
    assert.equal((await server.request('GET', '/f.txt')).body, content);
  });

  it('stores a chunked PUT with X-Expected-Entity-Length (Finder), and refuses a short one keeping the old content', async () => {
    const ok = await raw(
      server.port,
      `PUT /finder.bin HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\nTransfer-Encoding: chunked\r\nX-Expected-Entity-Length: 10\r\nConnection: close\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n`,
    );
    assert.match(ok, /^HTTP\/1.1 201/);
    assert.equal((await server.request('GET', '/finder.bin')).body, 'helloworld');
    const short = await raw(
      server.port,
      `PUT /finder.bin HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\nTransfer-Encoding: chunked\r\nX-Expected-Entity-Length: 99\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    );
    assert.match(short, /^HTTP\/1.1 400/);
    assert.equal((await server.request('GET', '/finder.bin')).body, 'helloworld');
  });

  it('sends 100 Continue only after auth and preconditions pass', async () => {
    const denied = await raw(server.port, 'PUT /e.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n', /\r\n\r\n/);
    assert.match(denied, /^HTTP\/1.1 401/);
    const allowed = await raw(server.port, `PUT /e.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n`, /100 Continue\r\n\r\n/);
    assert.match(allowed, /^HTTP\/1.1 100 Continue/);
  });

  it('answers a PUT only after Vfs.write has committed (regression: webdav-server answered early)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const inner = new MemoryVfs();
    const slow: Vfs = Object.assign(Object.create(inner) as Vfs, {
      write: async (path: string, body: Readable, options?: WriteOptions): Promise<WriteResult> => {
        const result = await inner.write(path, body, options);
        await gate;
        return result;
      },
    });
    const local = await startTestServer({ vfs: slow });
    try {
      let answered = false;
      const put = local.request('PUT', '/slow.txt', { body: 'abc' }).then((r) => ((answered = true), r));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(answered, false);
      release();
      assert.equal((await put).status, 201);
    } finally {
      await local.close();
    }
  });

  it('passes the range down to Vfs.read and destroys the upstream when the client goes away', async () => {
    const inner = new MemoryVfs();
    await inner.write('/big.bin', Readable.from([Buffer.alloc(4 * 1024 * 1024, 1)]));
    const ranges: Array<ByteRange | undefined> = [];
    let upstream: Readable | undefined;
    const spy: Vfs = Object.assign(Object.create(inner) as Vfs, {
      read: async (path: string, range?: ByteRange, signal?: AbortSignal) => {
        ranges.push(range);
        // An endless upstream: only a destroy from the server can end it.
        upstream = new Readable({ read() { this.push(Buffer.alloc(65536, 2)); } });
        signal?.addEventListener('abort', () => upstream?.destroy());
        return upstream;
      },
    });
    const local = await startTestServer({ vfs: spy });
    try {
      await raw(local.port, `GET /big.bin HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic()}\r\nRange: bytes=100-199\r\n\r\n`, /\r\n\r\n/);
      assert.deepEqual(ranges[0], { start: 100, end: 199 });
      for (let i = 0; i < 50 && !upstream?.destroyed; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(upstream?.destroyed, true);
    } finally {
      await local.close();
    }
  });
});
