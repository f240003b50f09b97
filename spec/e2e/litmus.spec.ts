/**
 * litmus against the whole product: dav → vfs → jottacloud client → emulator. Every test of
 * basic, copymove, props, locks and http must pass. CI installs litmus; elsewhere a missing
 * binary makes the spec pending with the reason (never a silent pass).
 */
import assert from 'node:assert/strict';
import { EXPECTED_COUNTS, LITMUS_SUITES, litmusFailures, requireLitmus, runLitmus } from '../support/litmus.js';
import { startStack, type Stack } from '../support/stack.js';


describe('e2e: litmus over the whole stack (emulated Jottacloud behind the bridge)', function () {
  this.timeout(300_000);
  let stack: Stack;
  const bridgeErrors: string[] = [];

  before(async () => {
    stack = await startStack({
      // litmus's empty PUTs and LOCKs on new names make placeholders; a short grace lets them
      // settle into real files while the suites run, which is the path under test too.
      config: { placeholders: { grace: '1s' }, cache: { listingTtl: '30s' } },
      logSink: {
        write(line: string) {
          if (/"level":"error"/.test(line)) bridgeErrors.push(line);
          return true;
        },
      },
    });
  });
  after(async () => stack?.close());

  it('passes every test of basic, copymove, props, locks and http', async function () {
    requireLitmus(this);
    const { suites } = await runLitmus({ url: stack.url, user: stack.user, password: stack.password, suites: LITMUS_SUITES, timeoutMs: 120_000 });
    assert.deepEqual(litmusFailures(suites), []);
    for (const suite of suites) {
      assert.ok((suite.summary?.run ?? 0) >= (EXPECTED_COUNTS[suite.suite] ?? 1), `${suite.suite}: only ${suite.summary?.run} tests ran`);
      assert.equal(suite.tests.length, suite.summary?.run, `${suite.suite}: parsed ${suite.tests.length} results`);
    }
    // The emulator really served the suites (this is not the memory Vfs) and never failed a call.
    const log = stack.emulator.controls.requests();
    assert.ok(log.some((r) => r.path.includes('/upload/')), 'litmus PUTs reached the emulated upload API');
    assert.deepEqual(log.filter((r) => r.status >= 500), []);
    assert.deepEqual(bridgeErrors, []);
  });
});
