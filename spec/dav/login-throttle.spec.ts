/**
 * Failed logins are throttled per (client address, user name). The bug this pins: the throttle
 * was per address, so one attacker guessing one name behind a NAT or reverse proxy locked every
 * user behind it out. X-Forwarded-For names the client only when the peer is a trusted proxy.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { ClientAddress } from '../../lib/dav/client-address.js';
import { basic, passwordHash, startTestServer, USER, type TestServer } from './harness.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

/** The harness's users, with `trustedProxies`. */
async function behindProxies(trustedProxies: string[]): Promise<TestServer> {
  const hash = await passwordHash();
  return startTestServer({ auth: { ...DAV_DEFAULTS.auth, users: [USER, 'bob', 'reader'].map((name) => ({ name, passwordHash: hash })), trustedProxies } });
}

const FAILURES_BEFORE_BLOCK = 10;

async function hammer(server: TestServer, user: string, forwardedFor?: (i: number) => string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < FAILURES_BEFORE_BLOCK; i++) {
    const headers: Record<string, string> = { Depth: '0' };
    if (forwardedFor) headers['X-Forwarded-For'] = forwardedFor(i);
    statuses.push((await server.request('PROPFIND', '/', { headers, auth: basic(user, `guess ${i}`) })).status);
  }
  return statuses;
}

const propfindAs = (server: TestServer, user: string, forwardedFor?: string) =>
  server.request('PROPFIND', '/', { headers: { Depth: '0', ...(forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {}) }, auth: basic(user) });

describe('dav: failed logins are throttled per client address and user name', function () {
  this.timeout(30_000);

  it('regression: an attacker guessing one name from an address does not lock out the other users behind it', async () => {
    const server = await startTestServer();
    try {
      assert.deepEqual(await hammer(server, 'bob'), Array(FAILURES_BEFORE_BLOCK).fill(401));
      const bob = await propfindAs(server, 'bob');
      assert.equal(bob.status, 429, 'the guessed name is blocked from that address, even with the right password');
      assert.ok(Number(bob.headers['retry-after']) > 0);
      assert.equal((await propfindAs(server, 'alice')).status, 207, 'another user from the same address still logs in');
      assert.equal((await propfindAs(server, 'reader')).status, 207);
    } finally {
      await server.close();
    }
  });

  it('behind a trusted proxy, X-Forwarded-For tells the clients apart', async () => {
    const server = await behindProxies(['127.0.0.1', '::1']);
    try {
      await hammer(server, 'bob', () => '203.0.113.7');
      assert.equal((await propfindAs(server, 'bob', '203.0.113.7')).status, 429, 'the attacking client is blocked');
      assert.equal((await propfindAs(server, 'bob', '203.0.113.8')).status, 207, 'bob from another client behind the proxy is not');
      // The proxy appends the address it saw: the rightmost untrusted hop is the client, so a
      // client cannot escape by writing its own X-Forwarded-For first.
      assert.equal((await propfindAs(server, 'bob', '198.51.100.1, 203.0.113.7')).status, 429);
    } finally {
      await server.close();
    }
  });

  it('from a peer that is not a trusted proxy, X-Forwarded-For is ignored (rotating it escapes nothing)', async () => {
    const server = await behindProxies(['10.0.0.0/8']);
    try {
      await hammer(server, 'bob', (i) => `203.0.113.${i}`);
      assert.equal((await propfindAs(server, 'bob', '192.0.2.99')).status, 429);
    } finally {
      await server.close();
    }
  });

  it('ClientAddress reads X-Forwarded-For from the right, skipping trusted proxies, and stops at garbage', () => {
    const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
    const clients = new ClientAddress(['10.0.0.0/8', '::1']);
    assert.equal(clients.of(req('192.0.2.1', '203.0.113.7')), '192.0.2.1', 'untrusted peer: header ignored');
    assert.equal(clients.of(req('10.1.2.3', '203.0.113.7')), '203.0.113.7');
    assert.equal(clients.of(req('::ffff:10.1.2.3', '198.51.100.1, 203.0.113.7, 10.9.9.9')), '203.0.113.7', 'two proxies, mapped IPv4 peer');
    assert.equal(clients.of(req('::1', 'not-an-address, 203.0.113.7')), '203.0.113.7');
    assert.equal(clients.of(req('10.1.2.3', '203.0.113.7, bogus')), '10.1.2.3', 'garbage right of the client: the proxy is all that is known');
    assert.equal(clients.of(req('10.1.2.3')), '10.1.2.3', 'no header');
    assert.throws(() => new ClientAddress(['10.0.0.0/33']), /not an IP address or CIDR subnet/);
  });
});
