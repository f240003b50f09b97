import assert from 'node:assert/strict';
import { EXPECTED_COUNTS, LITMUS_SUITES, litmusFailures, requireLitmus, runLitmus } from '../support/litmus.js';
import { PASSWORD, startTestServer, USER, type TestServer } from './harness.js';


describe('dav: litmus conformance (basic, copymove, props, locks, http)', function () {
  this.timeout(300_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(async () => server?.close());

  it('passes every litmus test over the memory Vfs, with Basic auth', async function () {
    requireLitmus(this);
    const { suites } = await runLitmus({ url: server.url, user: USER, password: PASSWORD, suites: LITMUS_SUITES, timeoutMs: 120_000 });
    assert.deepEqual(litmusFailures(suites), []);
    for (const suite of suites) {
      assert.ok((suite.summary?.run ?? 0) >= (EXPECTED_COUNTS[suite.suite] ?? 1), `${suite.suite}: only ${suite.summary?.run} tests ran`);
      assert.equal(suite.tests.length, suite.summary?.run, `${suite.suite}: parsed ${suite.tests.length} results`);
    }
    // Litmus also drives the server hard: nothing it sent may have produced a 500.
    assert.deepEqual(server.log.filter((e) => e.status >= 500), []);
  });
});

describe('dav: litmus below a base path with a space, over a case-insensitive Vfs', function () {
  this.timeout(300_000);

  it('passes every litmus test', async function () {
    requireLitmus(this);
    const server = await startTestServer({ basePath: '/web dav/', caseInsensitive: true });
    try {
      const url = server.url.replace(' ', '%20');
      const { suites } = await runLitmus({ url, user: USER, password: PASSWORD, timeoutMs: 120_000 });
      assert.deepEqual(litmusFailures(suites), []);
      assert.ok(suites.reduce((n, s) => n + (s.summary?.passed ?? 0), 0) >= 104);
    } finally {
      await server.close();
    }
  });
});

describe('spec/support/litmus: a server that never answers', function () {
  this.timeout(30_000);

  it('stops the hung suite at its deadline, process group included, and reports it', async function () {
    requireLitmus(this);
    const { createServer } = await import('node:net');
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as import('node:net').AddressInfo;
      const { suites } = await runLitmus({ url: `http://127.0.0.1:${port}/`, suites: ['basic'], timeoutMs: 2000 });
      assert.equal(suites[0]?.timedOut, true);
      assert.ok(litmusFailures(suites).includes('basic: timed out'));
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
