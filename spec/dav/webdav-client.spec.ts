/**
 * Interop with a real client library: the `webdav` npm client (5.x) against our server, under
 * a base path and with a name full of characters that need escaping.
 */
import assert from 'node:assert/strict';
import { createClient, type FileStat, type WebDAVClient } from 'webdav';
import { PASSWORD, startTestServer, USER, type TestServer } from './harness.js';

describe('dav: interop with the webdav npm client', () => {
  let server: TestServer;
  let client: WebDAVClient;
  const name = '/docs/Q4 report (final) #2 & été+.txt';

  before(async () => {
    server = await startTestServer({ basePath: '/remote.php/dav/' });
    client = createClient(server.url, { username: USER, password: PASSWORD });
  });
  after(async () => server.close());

  it('creates, lists, stats, reads, copies, moves, locks and deletes', async () => {
    await client.createDirectory('/docs');
    assert.equal(await client.putFileContents(name, 'quarterly numbers'), true);
    const listing = (await client.getDirectoryContents('/docs')) as FileStat[];
    assert.deepEqual(listing.map((e) => e.basename), ['Q4 report (final) #2 & été+.txt']);
    const stat = (await client.stat(name)) as FileStat;
    assert.equal(stat.size, 17);
    assert.equal(stat.type, 'file');
    assert.ok(stat.etag);
    assert.equal(await client.getFileContents(name, { format: 'text' }), 'quarterly numbers');
    const part = await client.getFileContents(name, { format: 'text', headers: { Range: 'bytes=0-8' } });
    assert.equal(part, 'quarterly');
    await client.copyFile(name, '/docs/copy.txt');
    await client.moveFile('/docs/copy.txt', '/moved.txt');
    assert.equal(await client.exists('/docs/copy.txt'), false);
    assert.equal(await client.exists('/moved.txt'), true);
    const lock = await client.lock(name);
    assert.match(lock.token, /^urn:uuid:/);
    await assert.rejects(client.putFileContents(name, 'overwrite'), /423/);
    await client.unlock(name, lock.token);
    await client.putFileContents(name, 'overwrite');
    const compliance = await client.getDAVCompliance('/');
    assert.ok(compliance.compliance.includes('2'));
    await client.deleteFile('/docs');
    assert.equal(await client.exists(name), false);
  });
});
