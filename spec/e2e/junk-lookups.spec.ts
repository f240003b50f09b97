/**
 * Junk names (`._x`, `.DS_Store`, `Thumbs.db`, `~$doc.docx`, …) never reach the service, not even
 * as lookups: Finder probes `._*` and `.DS_Store` for every file it shows, and each probe must not
 * become a Jottacloud round trip naming the file. Found by the e2e junk spec after 0c4e308 made a
 * cold stat ask for the item's own document; fixed in lib/vfs by cd032f1.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { dav, decodedPaths, logLength, logSince } from './helpers.js';

describe('e2e: junk names never reach the service, not even as lookups', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    assert.equal((await dav(stack, 'MKCOL', '/junk')).status, 201);
    // A real write invalidates the folder's listing, so the junk stats below are cold.
    assert.equal((await dav(stack, 'PUT', '/junk/real.txt', { body: 'real' })).status, 201);
  });
  after(async () => stack?.close());

  it('PUT, GET and PROPFIND of junk files send no request naming them', async () => {
    const junk = ['._x', '.DS_Store', 'Thumbs.db', '~$doc.docx'];
    const since = logLength(stack);
    for (const name of junk) {
      assert.equal((await dav(stack, 'PUT', `/junk/${name}`, { body: 'junk' })).status, 201);
      assert.equal((await dav(stack, 'GET', `/junk/${name}`)).status, 200);
      assert.equal((await dav(stack, 'PROPFIND', `/junk/${name}`, { headers: { Depth: '0' } })).status, 207);
    }
    // Finder's probes of junk that does not exist.
    assert.equal((await dav(stack, 'PROPFIND', '/junk/._never-written', { headers: { Depth: '0' } })).status, 404);
    const paths = decodedPaths(logSince(stack, since));
    for (const name of [...junk, '._never-written']) assert.ok(!paths.some((p) => p.includes(name)), `${name} in ${JSON.stringify(paths)}`);
  });
});
