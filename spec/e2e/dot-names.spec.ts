/**
 * A remote name that decodes to '.' or '..' (rclone stores a file named '..' as '．．', the
 * whole-name dot rule) must not break its parent folder: the folder stays listable and its
 * siblings readable. Found by the e2e names spec (a PROPFIND of the parent answered 403 "path
 * segment not allowed"), fixed in lib/vfs by 55e04be.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { dav, hrefsOf, RemoteView } from './helpers.js';

describe('e2e: a remote name that decodes to a dot segment', function () {
  this.timeout(30_000);
  let stack: Stack;
  let remote: RemoteView;

  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
    // Out of band, before the bridge lists (and caches) anything.
    for (const stored of ['．．', '．']) {
      await remote.upload(`/dots-${stored.length}/${stored}`, 'dots');
      await remote.upload(`/dots-${stored.length}/ok.txt`, 'fine');
    }
  });
  after(async () => stack?.close());

  for (const stored of ['．．', '．']) {
    it(`keeps a folder holding ${JSON.stringify(stored)} (written by rclone) listable, with its siblings`, async () => {
      const folder = `/dots-${stored.length}`;
      const res = await dav(stack, 'PROPFIND', folder, { headers: { Depth: '1' } });
      const xml = await res.text();
      assert.equal(res.status, 207, xml);
      assert.ok(hrefsOf(xml).some((h) => h.endsWith(`${folder}/ok.txt`)), xml);
      // Reading the sibling still works.
      assert.equal(await (await dav(stack, 'GET', `${folder}/ok.txt`)).text(), 'fine');
    });
  }
});
