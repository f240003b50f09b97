/**
 * A cold PROPFIND Depth 1 of a folder costs at most one Jottacloud listing (a PROPFIND must not
 * multiply remote calls). Found by the
 * e2e cache spec (it cost two: the parent's and the folder's), fixed in lib/vfs by 0c4e308.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { isJfsListing, logLength, logSince, propfind, RemoteView } from './helpers.js';

describe('e2e: a cold PROPFIND Depth 1 of a folder costs at most one listing', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    const remote = await RemoteView.open(stack);
    await remote.upload('/big/a.txt', 'a');
    await remote.upload('/big/b.txt', 'b');
    // Warm the client up (customer, account) without listing the root: a path below a missing folder.
    await propfind(stack, '/nowhere/x', '0');
  });
  after(async () => stack?.close());

  it('lists only the folder itself', async () => {
    const since = logLength(stack);
    const { status } = await propfind(stack, '/big', '1');
    assert.equal(status, 207);
    const listings = logSince(stack, since).filter(isJfsListing);
    assert.ok(listings.length <= 1, JSON.stringify(listings.map((e) => e.path)));
  });
});
