/**
 * What a WebDAV request costs in Jottacloud requests, counted in the emulator's log (the bridge
 * stack over HTTP, no timing). Pins the bridge benchmark's findings: a warm PROPFIND of a folder
 * opened by URL re-listed it, and every PUT into a folder re-listed that folder (twice).
 */
import assert from 'node:assert/strict';
import type { RequestLogEntry } from '../../lib/emulator/index.js';
import { startStack, type Stack } from '../support/stack.js';
import { isJfsListing, logLength, logSince, propfind, RemoteView } from '../e2e/helpers.js';

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
});
