/**
 * `server.timeouts.headers`, `request` and `keepAlive` reach the HTTP server (regression: they
 * were validated but never applied, and keep-alive stayed 30 s whatever the config said). Each
 * deadline is short here, and every assertion is on what happens to the connection: answered and
 * kept, or answered with 408 and closed. The upper bounds only tell "the configured deadline"
 * from Node's defaults (5 s keep-alive, 60 s headers, no request deadline), with ample slack.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { openRaw } from '../support/raw-socket.js';

const HEALTH = 'GET /_health HTTP/1.1\r\nHost: x\r\n\r\n';
const ANSWERED = /HTTP\/1\.1 200 [^]*?\r\n\r\n\{[^}]*\}/;

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('ops: server.timeouts apply to the HTTP server', function () {
  this.timeout(60_000);
  let stack: Stack;
  let port: number;

  before(async () => {
    stack = await startStack({ config: { server: { timeouts: { headers: '400ms', request: '800ms', keepAlive: '400ms' } } } });
    port = Number(new URL(stack.url).port);
  });
  after(async () => {
    await stack?.close();
  });

  it('keepAlive: a connection reused at once serves its next request; one left idle longer is closed by the server', async () => {
    const conn = await openRaw(port);
    try {
      conn.write(HEALTH);
      await conn.until(ANSWERED);
      // Reused straight away: well inside the keep-alive window.
      conn.write(HEALTH);
      const both = await conn.until(/(HTTP\/1\.1 200[^]*?){2}\r\n\r\n\{[^}]*\}/);
      assert.equal(both.match(/HTTP\/1\.1 200/g)?.length, 2);
      assert.equal(conn.isClosed(), false);
      // Then idle: closed by the configured 400 ms, long before Node's 5 s or the former 30 s.
      assert.ok(await within(conn.closed, 4_000), 'the idle kept-alive connection was not closed by the server');
    } finally {
      conn.destroy();
    }
  });

  it('headers: headers that stop arriving get 408 and the connection is closed; prompt ones are served', async () => {
    const slow = await openRaw(port);
    try {
      slow.write('GET /_health HTTP/1.1\r\nHost: x\r\n');
      const answer = await slow.until(/\r\n\r\n/, 8_000);
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.ok(await within(slow.closed, 4_000), 'the connection stayed open after the 408');
    } finally {
      slow.destroy();
    }
    const prompt = await openRaw(port);
    try {
      prompt.write(HEALTH);
      assert.match(await prompt.until(ANSWERED), /^HTTP\/1\.1 200 /);
    } finally {
      prompt.destroy();
    }
  });

  it('request: a body that stops arriving gets 408, the connection is closed and the previous version stays intact', async () => {
    const auth = stack.authHeader();
    const put = (body: string) => fetch(`${stack.url}kept.txt`, { method: 'PUT', headers: { Authorization: auth }, body });
    assert.equal((await put('previous version')).status, 201);

    const stalled = await openRaw(port);
    try {
      stalled.write(`PUT /kept.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Length: 100\r\n\r\nonly the first bytes`);
      const answer = await stalled.until(/\r\n\r\n/, 8_000);
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.ok(await within(stalled.closed, 4_000), 'the connection stayed open after the 408');
    } finally {
      stalled.destroy();
    }
    const get = await fetch(`${stack.url}kept.txt`, { headers: { Authorization: auth } });
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'previous version');
    // A whole request in time is served as usual.
    assert.equal((await put('new version')).status, 204);
  });
});
