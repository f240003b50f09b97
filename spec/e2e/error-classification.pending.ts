/**
 * PENDING (bug in lib/jottacloud/backend-errors.ts, not ours to edit): a file whose NAME contains
 * "quota" (or "storagefull", "overquota", …) gets 507 Insufficient Storage when the service
 * answers 404 for it.
 *
 * httpCode() tests /quota|storagefull|notenoughspace|insufficientstorage|overquota/i against
 * `exception + detail`, and the detail of a 404 holds the path: "NoSuchPathException: Directory
 * /{user}/Jotta/Archive/quota.bin (Not Found)". So NOT_FOUND becomes QUOTA_EXCEEDED. Since the
 * vfs stats a cold path by its own JFS document (0c4e308), every first PUT of such a name fails.
 *
 * Request sequence (fresh stack, unlimited account): PUT /quota.bin (10 bytes) → expected 201,
 * actual 507 with an empty body; the emulator log shows only GET …/Jotta/Archive/quota.bin → 404,
 * no allocate. Likewise a cold GET /overquota-notes.txt of a missing file → expected 404, actual 507.
 * Fix: match quota words against the exception name only (or only for 4xx/5xx that are not 404).
 *
 * Rename to error-classification.spec.ts once fixed.
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
