/**
 * Requests that arrive together with the same Authorization header share one password check.
 * The bug this pins: 200 clients starting at once each ran their own scrypt on libuv's four
 * threads, and the file operations of the server queued behind them (the first PUTs of the last
 * clients of a load run took 17 s).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Authenticator, hashPassword, verifyPassword } from '../../lib/dav/auth.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

function request(authorization: string): IncomingMessage {
  return { headers: { authorization }, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('dav: concurrent requests with the same credentials share one password check', () => {
  it('regression: 50 requests at once cost one check; right ones are all let in, wrong ones all 401', async () => {
    let checks = 0;
    const auth = new Authenticator({
      ...DAV_DEFAULTS.auth,
      users: [{ name: 'alice', passwordHash: await hashPassword('right', { N: 1024, r: 8, p: 1 }) }],
      verify: (password, hash) => {
        checks++;
        return verifyPassword(password, hash);
      },
    });
    const right = await Promise.all(Array.from({ length: 50 }, () => auth.authenticate(request(basic('alice', 'right')))));
    assert.ok(right.every((r) => r.ok && r.user === 'alice'));
    assert.equal(checks, 1);
    // Verified once, then answered from the verified headers without a check.
    assert.ok((await auth.authenticate(request(basic('alice', 'right')))).ok);
    assert.equal(checks, 1);

    const wrong = await Promise.all(Array.from({ length: 5 }, () => auth.authenticate(request(basic('alice', 'wrong')))));
    assert.ok(wrong.every((r) => !r.ok && r.status === 401));
    assert.equal(checks, 2, 'the same wrong header at once is one check too');
    // A later attempt is checked again (a failure is never remembered as an answer).
    assert.equal((await auth.authenticate(request(basic('alice', 'wrong')))).ok, false);
    assert.equal(checks, 3);
  });
});
