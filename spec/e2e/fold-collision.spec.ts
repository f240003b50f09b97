/**
 * Regression: of two remote names that differ only in Unicode normalisation (older data written
 * by tools that do not normalise), the NFD one was listed under its own href but could not be
 * read through it: lib/dav normalised every request path to NFC, so a GET of the NFD href
 * returned the NFC twin. Paths now reach the Vfs as sent; the Vfs normalises where it compares
 * and creates names.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { dav, destinationOf, getText, href, hrefsOf, RemoteView } from './helpers.js';

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';

describe('e2e: two remote names that fold to one key stay separately addressable', function () {
  this.timeout(30_000);
  let stack: Stack;
  let remote: RemoteView;
  const destination = (path: string) => destinationOf(stack, path);
  const text = (path: string) => getText(stack, path);

  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
    // Written straight to the emulator before the bridge lists anything, so no cached listing
    // (out-of-band changes are only seen after the listing TTL) hides them.
    await remote.upload(`/fold/${NFC}`, 'composed');
    await remote.upload(`/fold/${NFD}`, 'decomposed');
  });
  after(async () => stack?.close());

  // The emulator folds like the service (toLowerCase only), so an NFC and an NFD spelling of
  // 'é' are two different names there; the bridge folds NFC + lower case, so for it they
  // collide. Older data (written by tools that do not normalise) can hold both.
  before(async () => {
    assert.deepEqual((await remote.live('/fold')).length, 2, 'the emulator holds both spellings');
  });

  it('both stay visible in a listing', async () => {
    const res = await dav(stack, 'PROPFIND', '/fold', { headers: { Depth: '1' } });
    const xml = await res.text();
    assert.equal(res.status, 207);
    const children = hrefsOf(xml).filter((h) => !/\/fold\/?$/.test(h));
    assert.equal(children.length, 2, xml);
    assert.equal(new Set(children).size, 2, 'each has its own href');
  });

  it('each is read under its own href', async () => {
    const res = await dav(stack, 'PROPFIND', '/fold', { headers: { Depth: '1' } });
    const children = hrefsOf(await res.text()).filter((h) => !/\/fold\/?$/.test(h));
    const bodies = new Set<string>();
    for (const h of children) {
      const get = await fetch(new URL(href(h).slice(1), stack.url), { headers: { Authorization: stack.authHeader() } });
      assert.equal(get.status, 200, h);
      bodies.add(await get.text());
    }
    assert.deepEqual([...bodies].sort(), ['composed', 'decomposed']);
  });

  it('each is renamed and deleted on its own', async () => {
    const res = await dav(stack, 'PROPFIND', '/fold', { headers: { Depth: '1' } });
    const children = hrefsOf(await res.text()).filter((h) => !/\/fold\/?$/.test(h));
    assert.equal(children.length, 2);
    assert.notEqual(children[0], children[1], 'two hrefs, one per remote item');
    const first = children[0]!;
    const firstBody = await (await fetch(new URL(href(first).slice(1), stack.url), { headers: { Authorization: stack.authHeader() } })).text();
    const move = await fetch(new URL(href(first).slice(1), stack.url), {
      method: 'MOVE',
      headers: { Authorization: stack.authHeader(), Destination: destination('/fold/renamed.txt') },
    });
    assert.equal(move.status, 201);
    assert.deepEqual(await text('/fold/renamed.txt'), { status: 200, body: firstBody });
    assert.equal((await remote.live('/fold')).length, 2);
    const second = children[1]!;
    const del = await fetch(new URL(href(second).slice(1), stack.url), { method: 'DELETE', headers: { Authorization: stack.authHeader() } });
    assert.equal(del.status, 204);
    assert.deepEqual(await remote.live('/fold'), ['renamed.txt']);
  });
});
