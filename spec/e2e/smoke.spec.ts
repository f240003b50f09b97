import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';

describe('e2e: the whole stack on loopback', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  it('stores a PUT on the emulated Jottacloud and reads it back through the bridge', async () => {
    const put = await fetch(`${stack.url}smoke.txt`, { method: 'PUT', headers: { Authorization: stack.authHeader() }, body: 'hello jottacloud' });
    assert.equal(put.status, 201);
    const get = await fetch(`${stack.url}smoke.txt`, { headers: { Authorization: stack.authHeader() } });
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'hello jottacloud');
    // The bytes really went through the Jottacloud upload API of the emulator.
    const uploads = stack.emulator.controls.requests().filter((r) => r.method === 'POST' && r.path.includes('/upload/'));
    assert.equal(uploads.length, 1);
    assert.equal(uploads[0]?.requestBytes, 'hello jottacloud'.length);
  });

  it('answers the health endpoint without auth, outside the WebDAV tree', async () => {
    const res = await fetch(new URL('/_health', stack.url));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });
});
