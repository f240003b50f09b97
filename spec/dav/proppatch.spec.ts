import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './harness.js';

const update = (inner: string) => `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:z">${inner}</D:propertyupdate>`;
const get = (props: string) => `<D:propfind xmlns:D="DAV:" xmlns:z="urn:z"><D:prop>${props}</D:prop></D:propfind>`;

describe('dav: PROPPATCH and dead properties', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
    await server.request('PUT', '/f.txt', { body: 'data' });
  });
  afterEach(async () => server.close());

  it('applies several set and remove blocks in document order', async () => {
    const r = await server.request('PROPPATCH', '/f.txt', {
      body: update('<D:set><D:prop><z:a>1</z:a><z:b>2</z:b></D:prop></D:set><D:remove><D:prop><z:a/></D:prop></D:remove><D:set><D:prop><z:c>3 &amp; <z:i n="v">x</z:i></z:c></D:prop></D:set>'),
    });
    assert.equal(r.status, 207);
    assert.match(r.body, /HTTP\/1.1 200 OK/);
    const p = await server.request('PROPFIND', '/f.txt', { headers: { Depth: '0' }, body: get('<z:a/><z:b/><z:c/>') });
    assert.match(p.body, /<x:b xmlns:x="urn:z">2<\/x:b>/);
    assert.match(p.body, /<x:c xmlns:x="urn:z">3 &amp; <n0:i xmlns:n0="urn:z" n="v">x<\/n0:i><\/x:c>/);
    assert.match(p.body, /<D:propstat><D:prop><x:a xmlns:x="urn:z"\/><\/D:prop><D:status>HTTP\/1.1 404/);
  });

  it('is atomic: a protected property fails with 403, the rest 424, nothing changes', async () => {
    const r = await server.request('PROPPATCH', '/f.txt', {
      body: update('<D:set><D:prop><z:a>1</z:a><D:getetag>"x"</D:getetag></D:prop></D:set>'),
    });
    assert.equal(r.status, 207);
    assert.match(r.body, /<D:getetag\/><\/D:prop><D:status>HTTP\/1.1 403 Forbidden/);
    assert.match(r.body, /<x:a xmlns:x="urn:z"\/><\/D:prop><D:status>HTTP\/1.1 424 Failed Dependency/);
    const p = await server.request('PROPFIND', '/f.txt', { headers: { Depth: '0' }, body: get('<z:a/>') });
    assert.match(p.body, /404 Not Found/);
  });

  it('maps Win32LastModifiedTime and DAV:lastmodified (Unix seconds) onto the Vfs modified time; keeps other Win32 props', async () => {
    await server.request('PROPPATCH', '/f.txt', {
      body: '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop><Z:Win32LastModifiedTime>Wed, 01 Jan 2020 10:00:00 GMT</Z:Win32LastModifiedTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal((await server.vfs.stat('/f.txt')).modified?.toISOString(), '2020-01-01T10:00:00.000Z');
    const p = await server.request('PROPFIND', '/f.txt', {
      headers: { Depth: '0' },
      body: '<D:propfind xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:prop><Z:Win32FileAttributes/><D:getlastmodified/></D:prop></D:propfind>',
    });
    assert.match(p.body, /<x:Win32FileAttributes xmlns:x="urn:schemas-microsoft-com:">00000020<\/x:Win32FileAttributes>/);
    assert.match(p.body, /Wed, 01 Jan 2020 10:00:00 GMT/);
    await server.request('PROPPATCH', '/f.txt', { body: update('<D:set><D:prop><D:lastmodified>1600000000</D:lastmodified></D:prop></D:set>') });
    assert.equal((await server.vfs.stat('/f.txt')).modified?.getTime(), 1600000000 * 1000);
  });

  it('answers 409 for an unreadable time and changes nothing', async () => {
    const r = await server.request('PROPPATCH', '/f.txt', { body: update('<D:set><D:prop><D:getlastmodified>not a date</D:getlastmodified></D:prop></D:set>') });
    assert.match(r.body, /409 Conflict/);
  });

  it('moves, copies and deletes dead properties with the resource, collections included', async () => {
    await server.request('MKCOL', '/dir');
    await server.request('MKCOL', '/dir/deep');
    await server.request('PUT', '/dir/deep/g.txt', { body: 'g' });
    await server.request('PROPPATCH', '/dir/deep/g.txt', { body: update('<D:set><D:prop><z:tag>inner</z:tag></D:prop></D:set>') });
    await server.request('PROPPATCH', '/dir', { body: update('<D:set><D:prop><z:tag>outer</z:tag></D:prop></D:set>') });

    assert.equal((await server.request('MOVE', '/dir', { headers: { Destination: '/moved' } })).status, 201);
    const moved = await server.request('PROPFIND', '/moved/deep/g.txt', { headers: { Depth: '0' }, body: get('<z:tag/>') });
    assert.match(moved.body, />inner</);
    assert.equal((await server.request('COPY', '/moved', { headers: { Destination: '/copied' } })).status, 201);
    const copied = await server.request('PROPFIND', '/copied/deep/g.txt', { headers: { Depth: '0' }, body: get('<z:tag/>') });
    assert.match(copied.body, />inner</);
    const copiedTop = await server.request('PROPFIND', '/copied', { headers: { Depth: '0' }, body: get('<z:tag/>') });
    assert.match(copiedTop.body, />outer</);

    // Recreating a deleted path must not resurrect the old properties.
    assert.equal((await server.request('DELETE', '/copied')).status, 204);
    await server.request('MKCOL', '/copied');
    await server.request('MKCOL', '/copied/deep');
    await server.request('PUT', '/copied/deep/g.txt', { body: 'new' });
    const fresh = await server.request('PROPFIND', '/copied/deep/g.txt', { headers: { Depth: '0' }, body: get('<z:tag/>') });
    assert.match(fresh.body, /404 Not Found/);
    // The old location lost them on MOVE.
    await server.request('MKCOL', '/dir');
    const old = await server.request('PROPFIND', '/dir', { headers: { Depth: '0' }, body: get('<z:tag/>') });
    assert.match(old.body, /404 Not Found/);
  });

  it('answers 404 on a missing resource and 400 on a body that is not a propertyupdate', async () => {
    assert.equal((await server.request('PROPPATCH', '/nope.txt', { body: update('<D:set><D:prop><z:a>1</z:a></D:prop></D:set>') })).status, 404);
    assert.equal((await server.request('PROPPATCH', '/f.txt', { body: '<D:propfind xmlns:D="DAV:"/>' })).status, 400);
    assert.equal((await server.request('PROPPATCH', '/f.txt', { body: '' })).status, 400);
  });
});
