import assert from 'node:assert/strict';
import { litmusFailures, parseLitmusOutput, type LitmusSuiteResult } from '../support/litmus.js';

// The shape litmus 0.13 prints: neon redraws each line with '\r', warnings continue on a line of dots.
const SAMPLE = [
  "-> running `basic':",
  '\r 0. init.................. \r 0. init.................. pass',
  '\r 1. begin................. \r 1. begin................. pass',
  '\r 5. put_no_parent......... \r 5. put_no_parent......... FAIL (PUT with no parent collection should fail with 409)',
  '\r 9. delete_fragment....... \r 9. delete_fragment....... WARNING: DELETE removed collection resource with Request-URI including fragment; unsafe',
  '    ...................... pass (with 1 warning)',
  '\r18. cond_put_corrupt_token \r18. cond_put_corrupt_token pass',
  '\r19. fail_cond_put......... \r19. fail_cond_put......... SKIPPED',
  "<- summary for `basic': of 6 tests run: 5 passed, 1 failed. 83.3%",
  '-> 1 warning was issued.',
  "-> running `http':",
  '\r 0. init.................. \r 0. init.................. pass',
].join('\n');

describe('spec/support/litmus: output parser', () => {
  it('reads verdicts, reasons, warnings and summaries', () => {
    const [basic, http] = parseLitmusOutput(SAMPLE);
    assert.equal(basic?.suite, 'basic');
    assert.deepEqual(basic?.summary, { run: 6, passed: 5, failed: 1 });
    assert.deepEqual(
      basic?.tests.map((t) => [t.index, t.name, t.result, t.warnings]),
      [
        [0, 'init', 'pass', 0],
        [1, 'begin', 'pass', 0],
        [5, 'put_no_parent', 'fail', 0],
        [9, 'delete_fragment', 'pass', 1],
        [18, 'cond_put_corrupt_token', 'pass', 0],
        [19, 'fail_cond_put', 'skipped', 0],
      ],
    );
    assert.equal(basic?.tests[2]?.message, 'PUT with no parent collection should fail with 409');
    assert.match(String(basic?.tests[3]?.message), /DELETE removed collection/);
    assert.equal(http?.summary, undefined);
  });

  it('reports failures, skips, missing summaries and hangs', () => {
    const suites = parseLitmusOutput(SAMPLE).map((s): LitmusSuiteResult => ({ ...s, exitCode: 1, timedOut: s.suite === 'http', output: '' }));
    assert.deepEqual(litmusFailures(suites), [
      'basic/put_no_parent: fail (PUT with no parent collection should fail with 409)',
      'basic/fail_cond_put: skipped (SKIPPED)',
      'http: timed out',
      'http: no summary line (litmus exit 1)',
    ]);
  });
});
