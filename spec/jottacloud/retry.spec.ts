import assert from 'node:assert/strict';
import { backoffDelay, parseRetryAfter, withRetry, isConnectionError, isUnsentError } from '../../lib/util/retry.js';

describe('util/retry', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, maxElapsedMs: 10_000 };
  it('retries retryable failures up to maxAttempts, then rethrows the last error', async () => {
    const waits: number[] = [];
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        () => ({ retry: true }),
        policy,
        { sleep: async (ms) => void waits.push(ms), random: () => 1 },
      ),
      /fail 4/,
    );
    assert.equal(calls, 4);
    assert.deepEqual(waits, [100, 200, 250], 'exponential, capped at maxDelayMs (jitter fixed at its maximum)');
  });
  it('a Retry-After is a floor for the wait', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 2) throw new Error('busy');
        return 'ok';
      },
      () => ({ retry: true, afterMs: 3000 }),
      policy,
      { sleep: async (ms) => void waits.push(ms), random: () => 0 },
    );
    assert.equal(result, 'ok');
    assert.deepEqual(waits, [3000]);
  });
  it('gives up when the total-time budget would be exceeded', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error('busy');
        },
        () => ({ retry: true, afterMs: 60_000 }),
        policy,
        { sleep: async () => undefined },
      ),
    );
    assert.equal(calls, 1);
  });
  it('does not retry what the classifier calls final', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw new Error('no'); }, () => ({ retry: false }), policy));
    assert.equal(calls, 1);
  });
  it('full jitter stays within [0, ceiling]', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(3, policy);
      assert.ok(d >= 0 && d <= 250);
    }
  });
  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
  it('classifies transport errors', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    assert.equal(isConnectionError(reset), true);
    assert.equal(isUnsentError(reset), false, 'a reset may come after the server acted');
    assert.equal(isUnsentError(refused), true);
    assert.equal(isConnectionError(new Error('wrapped', { cause: reset })), true);
    assert.equal(isConnectionError(new Error('404')), false);
  });
});
