import assert from 'node:assert/strict';
import { lockBody, startTestServer, type TestServer } from './harness.js';

describe('dav: MKCOL, DELETE, COPY and MOVE', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
    await server.request('MKCOL', '/src');
    await server.request('PUT', '/src/a.txt', { body: 'A' });
    await server.request('MKCOL', '/src/inner');
    await server.request('PUT', '/src/inner/b.txt', { body: 'B' });
  });
  afterEach(async () => server.close());

  it('MKCOL: 201, 405 when it exists, 409 without a parent, 415 with a body', async () => {
    assert.equal((await server.request('MKCOL', '/new')).status, 201);
    assert.equal((await server.request('MKCOL', '/new')).status, 405);
    assert.equal((await server.request('MKCOL', '/src/a.txt')).status, 405);
    assert.equal((await server.request('MKCOL', '/no/parent')).status, 409);
    assert.equal((await server.request('MKCOL', '/withbody', { body: '<x/>' })).status, 415);
    assert.equal((await server.request('MKCOL', '/chunkedbody', { body: '<x/>', headers: { 'Transfer-Encoding': 'chunked' } })).status, 415);
    assert.equal((await server.request('MKCOL', '/emptychunked', { body: '', headers: { 'Transfer-Encoding': 'chunked' } })).status, 201);
  });

  it('DELETE removes collections recursively; 404 when missing; Depth 0 on a collection is a 400', async () => {
    assert.equal((await server.request('DELETE', '/src', { headers: { Depth: '0' } })).status, 400);
    assert.equal((await server.request('DELETE', '/src')).status, 204);
    assert.equal((await server.request('GET', '/src/inner/b.txt')).status, 404);
    assert.equal((await server.request('DELETE', '/src')).status, 404);
  });

  it('DELETE of a collection with a locked member answers 207 naming the member with 423, deleting nothing', async () => {
    const lock = await server.request('LOCK', '/src/inner/b.txt', { body: lockBody(), headers: { 'Content-Type': 'application/xml' } });
    assert.equal(lock.status, 200);
    const r = await server.request('DELETE', '/src');
    assert.equal(r.status, 207);
    assert.match(r.body, /<D:href>\/src\/inner\/b.txt<\/D:href><D:status>HTTP\/1.1 423 Locked<\/D:status>/);
    assert.equal((await server.request('GET', '/src/a.txt')).status, 200);
    const token = String(lock.headers['lock-token']);
    assert.equal((await server.request('DELETE', '/src', { headers: { If: `</src/inner/b.txt> (${token})` } })).status, 204);
    // The lock went with the resource: recreating the path is not blocked.
    await server.request('MKCOL', '/src');
    await server.request('MKCOL', '/src/inner');
    assert.equal((await server.request('PUT', '/src/inner/b.txt', { body: 'again' })).status, 201);
  });

  it('COPY: 201/204, Overwrite defaults to T, Overwrite F gives 412, Depth 0 copies the collection alone', async () => {
    assert.equal((await server.request('COPY', '/src/a.txt', { headers: { Destination: '/c.txt' } })).status, 201);
    assert.equal((await server.request('COPY', '/src/a.txt', { headers: { Destination: '/c.txt' } })).status, 204);
    assert.equal((await server.request('COPY', '/src/a.txt', { headers: { Destination: '/c.txt', Overwrite: 'F' } })).status, 412);
    assert.equal((await server.request('COPY', '/src', { headers: { Destination: '/shallow', Depth: '0' } })).status, 201);
    assert.equal((await server.vfs.list('/shallow')).length, 0);
    assert.equal((await server.request('COPY', '/src', { headers: { Destination: '/deep' } })).status, 201);
    assert.equal((await server.request('GET', '/deep/inner/b.txt')).body, 'B');
    assert.equal((await server.request('COPY', '/src', { headers: { Destination: '/x', Depth: '1' } })).status, 400);
  });

  it('MOVE accepts an absolute Destination on this host and refuses other hosts with 502', async () => {
    const r = await server.request('MOVE', '/src/a.txt', { headers: { Destination: `http://127.0.0.1:${server.port}/moved%20here.txt` } });
    assert.equal(r.status, 201);
    assert.equal((await server.request('GET', '/moved%20here.txt')).body, 'A');
    assert.equal((await server.request('GET', '/src/a.txt')).status, 404);
    assert.equal((await server.request('MOVE', '/moved%20here.txt', { headers: { Destination: 'http://elsewhere.example/x.txt' } })).status, 502);
    assert.equal((await server.request('MOVE', '/moved%20here.txt', { headers: { Destination: 'ftp://127.0.0.1/x' } })).status, 502);
  });

  it('COPY/MOVE: 409 without a destination parent, 403 onto itself or into itself, 400 without Destination', async () => {
    assert.equal((await server.request('COPY', '/src/a.txt', { headers: { Destination: '/none/a.txt' } })).status, 409);
    assert.equal((await server.request('MOVE', '/src', { headers: { Destination: '/src' } })).status, 403);
    assert.equal((await server.request('MOVE', '/src', { headers: { Destination: '/src/inner/x' } })).status, 403);
    assert.equal((await server.request('MOVE', '/src')).status, 400);
    assert.equal((await server.request('COPY', '/nothing', { headers: { Destination: '/x' } })).status, 404);
  });

  it('checks locks on the destination of COPY (423 without the token)', async () => {
    await server.request('MKCOL', '/dst');
    const lock = await server.request('LOCK', '/dst', { body: lockBody() });
    assert.equal((await server.request('COPY', '/src/a.txt', { headers: { Destination: '/dst/a.txt' } })).status, 423);
    const token = String(lock.headers['lock-token']);
    // An untagged list applies to the Request-URI (the source), whose state lacks this token.
    assert.equal((await server.request('COPY', '/src/a.txt', { headers: { Destination: '/dst/a.txt', If: `(${token})` } })).status, 412);
    assert.equal((await server.request('COPY', '/src/a.txt', { headers: { Destination: '/dst/a.txt', If: `</dst> (${token})` } })).status, 201);
  });

  it('matches names exactly on a case-sensitive Vfs and folds them on a case-insensitive one', async () => {
    assert.equal((await server.request('GET', '/SRC/A.TXT')).status, 404);
    const folding = await (await import('./harness.js')).startTestServer({ caseInsensitive: true });
    try {
      await folding.request('PUT', '/Readme.TXT', { body: 'r' });
      assert.equal((await folding.request('GET', '/readme.txt')).body, 'r');
      const lock = await folding.request('LOCK', '/README.txt', { body: lockBody() });
      assert.equal(lock.status, 200);
      // The lock is keyed by resource, so another spelling is locked too.
      assert.equal((await folding.request('PUT', '/readme.TXT', { body: 'x' })).status, 423);
      // A case-only rename (Explorer) is a MOVE onto "itself": allowed, locks and props stay.
      const token = String(lock.headers['lock-token']);
      assert.equal((await folding.request('MOVE', '/readme.txt', { headers: { Destination: '/README.TXT' } })).status, 423);
      assert.equal((await folding.request('MOVE', '/readme.txt', { headers: { Destination: '/README.TXT', If: `(${token})` } })).status, 201);
      assert.deepEqual((await folding.vfs.list('/')).map((e) => e.name), ['README.TXT']);
      assert.equal((await folding.request('MOVE', '/README.TXT', { headers: { Destination: '/README.TXT' } })).status, 403);
    } finally {
      await folding.close();
    }
  });
});
