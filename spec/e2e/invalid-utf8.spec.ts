/**
 * Regression: a folder holding a name with invalid UTF-8 (rclone stores the byte 0xE9 of a
 * Latin-1 name as `‛E9`) could not be listed: the href encoder threw on the surrogate escape
 * that carries the raw byte. Such names now travel as their raw bytes (`caf%E9.txt`).
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { RemoteView } from './helpers.js';

describe('e2e: names with invalid UTF-8 written by another tool', () => {
  let stack: Stack;
  let remote: RemoteView;
  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
  });
  after(async () => {
    await stack?.close();
  });

  const auth = () => ({ Authorization: stack.authHeader() });

  it('regression: a folder holding a ‛E9 name lists, and the name reads back by its raw-byte href', async () => {
    await remote.mkdir('/latin1');
    await remote.upload('/latin1/caf‛E9.txt', 'bytes of a Latin-1 name');
    const res = await fetch(new URL('latin1/', stack.url), { method: 'PROPFIND', headers: { ...auth(), Depth: '1' } });
    assert.equal(res.status, 207);
    const xml = await res.text();
    assert.ok(xml.includes('/latin1/caf%E9.txt'), xml);
    const get = await fetch(new URL('latin1/caf%E9.txt', stack.url), { headers: auth() });
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'bytes of a Latin-1 name');
  });

  it('a PUT to a raw-byte href stores the name in rclone encoding, and it lists under the same href', async () => {
    const put = await fetch(new URL('na%EFve.txt', stack.url), { method: 'PUT', headers: auth(), body: 'x' });
    assert.equal(put.status, 201);
    assert.ok((await remote.live('/')).includes('na‛EFve.txt'));
    const res = await fetch(stack.url, { method: 'PROPFIND', headers: { ...auth(), Depth: '1' } });
    const raw = [...(await res.text()).matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1]);
    assert.ok(raw.includes('/na%EFve.txt'), raw.join(' '));
  });
});
