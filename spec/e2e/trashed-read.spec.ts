/**
 * Regression: the trashedOnly view listed a trashed file but a GET of it answered 404
 * ("<path>: no live file").
 *
 * rclone's trashed_only view exists so that trashed files can be copied back out. The bridge's
 * listing was right, but JottacloudBackend.read() went through a lookup that refuses anything not
 * live. The view now reads with `{ trashed: true }` (StorageBackend.read's options), and the
 * service serves the bytes of a trashed file with mode=bin (the emulator does too).
 *
 * Request sequence: on the emulator upload Jotta/Archive/old/gone.txt, then POST
 * Jotta/Archive/old/gone.txt?dl=true (to the trash). Bridge with trashedOnly: true: PROPFIND /old
 * Depth 1 → 207 listing gone.txt; GET /old/gone.txt → 200 'trashed bytes'.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { dav, RemoteView } from './helpers.js';

describe('e2e regression: trashedOnly view GET of a listed trashed file answered 404', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ config: { trashedOnly: true } });
  });
  after(async () => stack?.close());

  it('GET of a listed trashed file returns its content', async () => {
    const remote = await RemoteView.open(stack);
    await remote.upload('/old/gone.txt', 'trashed bytes');
    assert.equal((await remote.session.post('Jotta/Archive/old/gone.txt', 'dl=true')).status, 200);
    const listing = await dav(stack, 'PROPFIND', '/old', { headers: { Depth: '1' } });
    assert.equal(listing.status, 207);
    assert.match(await listing.text(), /gone\.txt/);
    const get = await dav(stack, 'GET', '/old/gone.txt');
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'trashed bytes');
    const ranged = await dav(stack, 'GET', '/old/gone.txt', { headers: { Range: 'bytes=8-' } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), 'bytes');
  });
});
