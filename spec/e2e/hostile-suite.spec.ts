/**
 * The short version of `npm run bench:hostile`: 500 seeded hostile requests against the whole
 * stack. None may crash the process, leave a request unanswered where an answer was due, or get a
 * 5xx other than a 502 for a Destination on another host; the server serves normally afterwards.
 */
import assert from 'node:assert/strict';
import { runHostileSuite } from '../support/hostile-run.js';

describe('e2e: a seeded hostile suite (short version of bench:hostile)', function () {
  this.timeout(300_000);

  it('500 hostile requests: no crash, no 5xx but 502 for a foreign Destination, and the server serves afterwards', async () => {
    const report = await runHostileSuite({ seed: 4918, count: 500 });
    assert.equal(report.sent, 500);
    assert.deepEqual(report.crashes, []);
    assert.deepEqual(report.failures, [], report.serverErrors.join('\n'));
    assert.equal(report.healthAfter, 200);
    assert.equal(report.sandboxAfter, 207);
    // The suite reached past authentication and the parsers, not only into 401s and 400s.
    for (const status of ['201', '207', '404', '413', '414', '431']) assert.ok((report.byStatus[status] ?? 0) > 0, `no ${status} among ${JSON.stringify(report.byStatus)}`);
  });
});
