/**
 * Regression: a file whose NAME contains "quota" (or "storagefull", "overquota", …) got 507
 * Insufficient Storage when the service answered 404 for it: the error classifier matched the
 * quota words against the error detail, which holds the path ("NoSuchPathException: Directory
 * /{user}/Jotta/Archive/quota.bin"), so every first PUT of such a name failed. It now looks at
 * the exception name (and the 507 status) only.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { dav } from './helpers.js';

describe('e2e: a name that looks like an error word is only a name', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => stack?.close());

  for (const name of ['quota.bin', 'storagefull.log', 'overquota.csv']) {
    it(`PUT of a new file named ${JSON.stringify(name)} stores it (201)`, async () => {
      const res = await dav(stack, 'PUT', `/${name}`, { body: 'just a name' });
      assert.equal(res.status, 201, await res.text());
      assert.equal(await (await dav(stack, 'GET', `/${name}`)).text(), 'just a name');
    });
  }

  it('a cold GET of a missing file named like a quota error is a 404', async () => {
    const fresh = await startStack();
    try {
      assert.equal((await dav(fresh, 'GET', '/overquota-notes.txt')).status, 404);
    } finally {
      await fresh.close();
    }
  });
});
