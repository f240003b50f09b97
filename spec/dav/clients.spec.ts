/**
 * Client sequences as the clients send them (methods, headers and bodies as Finder, Windows,
 * Office, davfs2, GNOME and rclone are known to send them; each test names its client), replayed
 * over raw HTTP.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { basic, hrefsOf, startTestServer, type TestServer } from './harness.js';

const WIN_UA = 'Microsoft-WebDAV-MiniRedir/10.0.19045';
const FINDER_UA = 'WebDAVFS/3.0.0 (03008000) Darwin/22.1.0 (x86_64)';
const OFFICE_UA = 'Microsoft Office Word 2014';
const DAVFS_UA = 'davfs2/1.6.1 neon/0.32.2';
const MS = 'urn:schemas-microsoft-com:';

function lockInfo(owner: string): string {
  return `<?xml version="1.0" encoding="utf-8" ?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>${owner}</D:href></D:owner></D:lockinfo>`;
}

function tokenOf(lockToken: string | string[] | undefined): string {
  return String(lockToken).replace(/^<|>$/g, '');
}

/** One raw request on its own connection; the whole reply as text. */
function rawRequest(port: number, head: string, chunks: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(head);
    for (const c of chunks) socket.write(`${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`);
    if (chunks.length) socket.write('0\r\n\r\n');
  });
}

describe('dav: recorded client sequences', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
    await server.request('MKCOL', '/Documents');
  });
  afterEach(async () => server.close());

  it('Windows Explorer: empty PUT → LOCK → PUT → PROPPATCH Win32 times → UNLOCK with a bracket-less token', async () => {
    const ua = { 'User-Agent': WIN_UA, 'Translate': 'f' };
    const options = await server.request('OPTIONS', '/', { headers: ua });
    assert.equal(options.headers['ms-author-via'], 'DAV');
    assert.equal((await server.request('PROPFIND', '/Documents/New%20Text%20Document.txt', { headers: { ...ua, Depth: '0' } })).status, 404);
    assert.equal((await server.request('PUT', '/Documents/New%20Text%20Document.txt', { headers: { ...ua, 'Content-Length': 0 }, body: '' })).status, 201);
    const lock = await server.request('LOCK', '/Documents/New%20Text%20Document.txt', {
      headers: { ...ua, Timeout: 'Second-3600', 'Content-Type': 'text/xml; charset="utf-8"' },
      body: lockInfo('CORP\\alice'),
    });
    assert.equal(lock.status, 200);
    const token = tokenOf(lock.headers['lock-token']);
    const put = await server.request('PUT', '/Documents/New%20Text%20Document.txt', { headers: { ...ua, If: `(<${token}>)` }, body: 'hello from windows' });
    assert.equal(put.status, 204);
    const patch = await server.request('PROPPATCH', '/Documents/New%20Text%20Document.txt', {
      headers: { ...ua, If: `(<${token}>)`, 'Content-Type': 'text/xml; charset="utf-8"' },
      body:
        `<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="${MS}"><D:set><D:prop>` +
        '<Z:Win32CreationTime>Mon, 02 Mar 2026 09:00:00 GMT</Z:Win32CreationTime>' +
        '<Z:Win32LastAccessTime>Mon, 02 Mar 2026 09:30:00 GMT</Z:Win32LastAccessTime>' +
        '<Z:Win32LastModifiedTime>Mon, 02 Mar 2026 09:15:00 GMT</Z:Win32LastModifiedTime>' +
        '<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>' +
        '</D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(patch.status, 207);
    assert.doesNotMatch(patch.body, /HTTP\/1.1 (4|5)\d\d/);
    const unlock = await server.request('UNLOCK', '/Documents/New%20Text%20Document.txt', { headers: { ...ua, 'Lock-Token': token } });
    assert.equal(unlock.status, 204);
    assert.equal((await server.request('GET', '/Documents/New%20Text%20Document.txt')).body, 'hello from windows');
    assert.equal((await server.vfs.stat('/Documents/New Text Document.txt')).modified?.toISOString(), '2026-03-02T09:15:00.000Z');
    // Unlocked now: a token-less write goes through.
    assert.equal((await server.request('PUT', '/Documents/New%20Text%20Document.txt', { body: 'again' })).status, 204);
  });

  it('Finder: ._ and .DS_Store probes get cheap 404s, quota PROPFIND, LOCK + chunked PUT with X-Expected-Entity-Length', async () => {
    const ua = { 'User-Agent': FINDER_UA };
    for (const probe of ['/._Documents', '/.DS_Store', '/.Spotlight-V100', '/.metadata_never_index', '/Documents/._report.pdf', '/mach_kernel', '/Backups.backupdb']) {
      assert.equal((await server.request('PROPFIND', probe, { headers: { ...ua, Depth: '0' } })).status, 404, probe);
    }
    const quota = await server.request('PROPFIND', '/', {
      headers: { ...ua, Depth: '0' },
      body: '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-available-bytes/><D:quota-used-bytes/><D:quota/><D:quotaused/></D:prop></D:propfind>',
    });
    assert.equal(quota.status, 207);
    assert.match(quota.body, /<D:quota-used-bytes>0<\/D:quota-used-bytes>/);
    assert.match(quota.body, /<D:quota\/><D:quotaused\/>/);

    // NFD name, as Finder sends it.
    const nfdName = encodeURIComponent('Résumé.pdf'.normalize('NFD'));
    const lock = await server.request('LOCK', `/Documents/${nfdName}`, { headers: { ...ua, Timeout: 'Second-600', Depth: '0' }, body: lockInfo('http://www.apple.com/webdav_fs/') });
    assert.equal(lock.status, 201);
    const token = tokenOf(lock.headers['lock-token']);
    const body = ['%PDF-1.4 ', 'x'.repeat(5000), ' %%EOF'];
    const size = body.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const reply = await rawRequest(
      server.port,
      `PUT /Documents/${nfdName} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: ${FINDER_UA}\r\nAuthorization: ${basic()}\r\n` +
        `If: (<${token}>)\r\nTransfer-Encoding: chunked\r\nX-Expected-Entity-Length: ${size}\r\nConnection: close\r\n\r\n`,
      body,
    );
    assert.match(reply, /^HTTP\/1.1 204/);
    // AppleDouble companion file, also chunked.
    const apple = await rawRequest(
      server.port,
      `PUT /Documents/._${nfdName} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basic()}\r\nTransfer-Encoding: chunked\r\nX-Expected-Entity-Length: 4\r\nConnection: close\r\n\r\n`,
      ['\u0000\u0005\u0016\u0007'],
    );
    assert.match(apple, /^HTTP\/1.1 201/);
    assert.equal((await server.request('UNLOCK', `/Documents/${nfdName}`, { headers: { 'Lock-Token': `<${token}>` } })).status, 204);
    const listing = await server.request('PROPFIND', '/Documents/', { headers: { ...ua, Depth: '1' } });
    assert.ok(hrefsOf(listing.body).includes(`/Documents/${encodeURIComponent('Résumé.pdf'.normalize('NFC'))}`));
    const stat = await server.vfs.stat('/Documents/Résumé.pdf');
    assert.equal(stat.size, size);
    // Concurrent range GETs, as Finder issues them.
    const parts = await Promise.all([0, 1000, 2000, 3000].map((start) => server.request('GET', `/Documents/${nfdName}`, { headers: { Range: `bytes=${start}-${start + 999}` } })));
    for (const p of parts) {
      assert.equal(p.status, 206);
      assert.equal(Buffer.byteLength(p.body), 1000);
    }
  });

  it('Office: LOCK, HEAD on the folder, PROPFIND lock props, token-less PROPPATCH by the owner, lock refresh', async () => {
    const ua = { 'User-Agent': OFFICE_UA };
    await server.request('PUT', '/Documents/Report.docx', { body: 'PK-v1' });
    assert.equal((await server.request('OPTIONS', '/', { headers: { 'User-Agent': 'Microsoft Office Protocol Discovery' } })).headers['ms-author-via'], 'DAV');
    assert.equal((await server.request('HEAD', '/Documents/', { headers: ua })).status, 200);
    const props = await server.request('PROPFIND', '/Documents/Report.docx', {
      headers: { ...ua, Depth: '0' },
      body: '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:lockdiscovery/><D:supportedlock/></D:prop></D:propfind>',
    });
    assert.match(props.body, /<D:supportedlock><D:lockentry>/);
    const lock = await server.request('LOCK', '/Documents/Report.docx', { headers: { ...ua, Timeout: 'Second-3600' }, body: lockInfo('alice') });
    assert.equal(lock.status, 200);
    const token = tokenOf(lock.headers['lock-token']);
    assert.equal((await server.request('GET', '/Documents/Report.docx', { headers: ua })).body, 'PK-v1');
    assert.equal((await server.request('PUT', '/Documents/Report.docx', { headers: { ...ua, If: `(<${token}>)` }, body: 'PK-v2' })).status, 204);
    const win32 = `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="${MS}"><D:set><D:prop><Z:Win32LastModifiedTime>Tue, 03 Mar 2026 08:00:00 GMT</Z:Win32LastModifiedTime></D:prop></D:set></D:propertyupdate>`;
    // Office omits the token on this PROPPATCH; the lock owner is tolerated...
    const patch = await server.request('PROPPATCH', '/Documents/Report.docx', { headers: ua, body: win32 });
    assert.equal(patch.status, 207);
    assert.match(patch.body, /200 OK/);
    // ...another user is not, and neither is a token-less change of other properties.
    assert.equal((await server.request('PROPPATCH', '/Documents/Report.docx', { headers: ua, body: win32, auth: basic('bob') })).status, 423);
    const other = '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:author xmlns:D="urn:x">me</D:author></D:prop></D:set></D:propertyupdate>';
    assert.equal((await server.request('PROPPATCH', '/Documents/Report.docx', { headers: ua, body: other })).status, 423);
    // Refresh: empty body, token in If.
    const refresh = await server.request('LOCK', '/Documents/Report.docx', { headers: { ...ua, If: `(<${token}>)`, Timeout: 'Second-3600' } });
    assert.equal(refresh.status, 200);
    assert.match(refresh.body, new RegExp(token));
    assert.equal((await server.request('UNLOCK', '/Documents/Report.docx', { headers: { ...ua, 'Lock-Token': `<${token}>` } })).status, 204);
  });

  it('davfs2: Depth 1 listing, LOCK, If-None-Match revalidation, If-Match guarded PUT, If-None-Match: * create', async () => {
    const ua = { 'User-Agent': DAVFS_UA };
    await server.request('PUT', '/Documents/notes.txt', { body: 'v1' });
    const listing = await server.request('PROPFIND', '/Documents/', {
      headers: { ...ua, Depth: '1' },
      body: '<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><prop><displayname/><getetag/><getcontentlength/><creationdate/><getlastmodified/><resourcetype/><executable xmlns="http://apache.org/dav/props/"/></prop></propfind>',
    });
    assert.equal(listing.status, 207);
    assert.match(listing.body, /<x:executable xmlns:x="http:\/\/apache.org\/dav\/props\/"\/><\/D:prop><D:status>HTTP\/1.1 404/);
    const etag = String((await server.request('HEAD', '/Documents/notes.txt')).headers.etag);
    const lock = await server.request('LOCK', '/Documents/notes.txt', { headers: { ...ua, Timeout: 'Second-1800' }, body: lockInfo('alice') });
    const token = tokenOf(lock.headers['lock-token']);
    assert.equal((await server.request('GET', '/Documents/notes.txt', { headers: { ...ua, 'If-None-Match': etag } })).status, 304);
    const put = await server.request('PUT', '/Documents/notes.txt', { headers: { ...ua, If: `(<${token}>)`, 'If-Match': etag }, body: 'v2' });
    assert.equal(put.status, 204);
    // A second writer with the old ETag loses instead of overwriting.
    assert.equal((await server.request('PUT', '/Documents/notes.txt', { headers: { ...ua, If: `(<${token}>)`, 'If-Match': etag }, body: 'v3' })).status, 412);
    assert.equal((await server.request('GET', '/Documents/notes.txt')).body, 'v2');
    assert.equal((await server.request('PUT', '/Documents/new.txt', { headers: { ...ua, 'If-None-Match': '*' }, body: 'n' })).status, 201);
    assert.equal((await server.request('PUT', '/Documents/new.txt', { headers: { ...ua, 'If-None-Match': '*' }, body: 'n' })).status, 412);
    assert.equal((await server.request('UNLOCK', '/Documents/notes.txt', { headers: { ...ua, 'Lock-Token': `<${token}>` } })).status, 204);
  });
});
