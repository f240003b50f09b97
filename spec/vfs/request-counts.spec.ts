/**
 * What a WebDAV request costs in Jottacloud requests, counted in the emulator's log (the bridge
 * stack over HTTP, no timing). Pins the bridge benchmark's findings: a warm PROPFIND of a folder
 * opened by URL re-listed it, and every PUT into a folder re-listed that folder (twice).
 */
import assert from 'node:assert/strict';
import type { RequestLogEntry } from '../../lib/emulator/index.js';
import { startStack, type Stack } from '../support/stack.js';
import { dav, isAllocate, isJfsListing, isUploadBytes, logLength, logSince, propfind, RemoteView } from '../e2e/helpers.js';

function describeLog(entries: RequestLogEntry[]): string {
  return JSON.stringify(entries.map((e) => `${e.method} ${decodeURIComponent(e.path)}${e.query ? '?' + e.query : ''}`));
}

async function cost(stack: Stack, work: () => Promise<void>): Promise<RequestLogEntry[]> {
  const since = logLength(stack);
  await work();
  return logSince(stack, since);
}

describe('request counts over the emulator (bridge benchmark regressions)', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    const remote = await RemoteView.open(stack);
    await remote.upload('/opened/a.txt', 'a');
    await remote.upload('/opened/b.txt', 'b');
    await remote.upload('/browsed/sub/c.txt', 'c');
    await remote.upload('/puts/seed.txt', 'seed');
    // Warm the client up (customer, account) without listing anything the specs look at.
    await propfind(stack, '/nowhere/x', '0');
  });
  after(async () => stack?.close());

  it('warm PROPFIND Depth 1 of a folder opened by URL (parent never listed) costs 0 requests', async () => {
    const first = await cost(stack, async () => assert.equal((await propfind(stack, '/opened', '1')).status, 207));
    assert.ok(first.filter(isJfsListing).length <= 1, describeLog(first));
    const second = await cost(stack, async () => {
      const { status, xml } = await propfind(stack, '/opened', '1');
      assert.equal(status, 207);
      assert.match(xml, /b\.txt/);
    });
    assert.deepEqual(second, [], describeLog(second));
  });

  it('warm PROPFIND Depth 1 of a folder whose parent was listed costs 0 requests', async () => {
    assert.equal((await propfind(stack, '/browsed', '1')).status, 207);
    assert.equal((await propfind(stack, '/browsed/sub', '1')).status, 207);
    const again = await cost(stack, async () => assert.equal((await propfind(stack, '/browsed/sub', '1')).status, 207));
    assert.deepEqual(again, [], describeLog(again));
  });

  it('a PUT of a new file into a cached folder costs allocate + upload (+ one metadata GET), no folder listing', async () => {
    assert.equal((await propfind(stack, '/puts', '1')).status, 207);
    for (let i = 0; i < 3; i++) {
      const log = await cost(stack, async () => {
        const res = await dav(stack, 'PUT', `/puts/new-${i}.txt`, { body: `content ${i}` });
        assert.equal(res.status, 201);
      });
      assert.equal(log.filter(isAllocate).length, 1, describeLog(log));
      assert.equal(log.filter(isUploadBytes).length, 1, describeLog(log));
      const folderListings = log.filter((e) => isJfsListing(e) && /\/puts$/.test(decodeURIComponent(e.path)));
      assert.deepEqual(folderListings, [], describeLog(log));
      assert.ok(log.length <= 3, describeLog(log));
    }
    // The cached listing was updated, not dropped: a PROPFIND shows every new file for free.
    const listed = await cost(stack, async () => {
      const { xml } = await propfind(stack, '/puts', '1');
      for (let i = 0; i < 3; i++) assert.match(xml, new RegExp(`new-${i}\\.txt`));
      assert.match(xml, /seed\.txt/);
    });
    assert.deepEqual(listed, [], describeLog(listed));
    // And what the bridge says matches the service.
    const remote = await RemoteView.open(stack);
    assert.deepEqual(await remote.live('/puts'), ['new-0.txt', 'new-1.txt', 'new-2.txt', 'seed.txt']);
  });
});
