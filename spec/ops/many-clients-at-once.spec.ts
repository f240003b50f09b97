/**
 * The short version of `npm run bench:load`: 20 WebDAV clients at once for 3 s, each doing small
 * PUTs, GETs of what it wrote and Depth-1 PROPFINDs of a folder it shares with others, on the
 * whole stack with the default file store. Asserts that nothing fails and every GET returns the
 * bytes written; timing is the bench's business (printed there, never asserted here).
 */
import assert from 'node:assert/strict';
import { runLoad } from '../support/load.js';
import { startStack, type Stack } from '../support/stack.js';

describe('ops: many clients at once', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({ config: { store: 'file' } });
  });
  after(async () => stack?.close());

  it('20 concurrent clients doing PUT/GET/PROPFIND for 3 s see no error and read back exactly what they wrote', async () => {
    const result = await runLoad({ url: stack.url, authorization: stack.authHeader(), clients: 20, seconds: 3 });
    assert.deepEqual(result.samples, []);
    assert.equal(result.errors, 0);
    for (const method of ['PUT', 'GET', 'PROPFIND']) assert.ok((result.byMethod[method]?.count ?? 0) > 0, `some ${method} ran`);
  });
});
