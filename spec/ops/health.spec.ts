/**
 * The health endpoint: answered without authentication, at a configured path that is not part
 * of the WebDAV tree; with `server.healthPath: null` the path is an ordinary (protected) one.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { accountReader, basic, raw } from './support.js';

const USER = { name: 'ops', password: 'health-pw' };
const auth = { Authorization: basic(USER.name, USER.password) };

describe('ops: health endpoint', function () {
  this.timeout(60_000);

  describe('at a configured path', () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ users: [USER], config: { server: { healthPath: '/healthz', basePath: '/dav' } } });
    });
    after(async () => {
      await stack?.close();
    });

    it('answers 200 without credentials, also with a query string and for HEAD', async () => {
      const get = await raw(stack.url, 'GET', '/healthz');
      assert.equal(get.status, 200);
      assert.deepEqual(JSON.parse(get.body), { status: 'ok' });
      assert.equal((await raw(stack.url, 'GET', '/healthz?probe=1')).status, 200);
      const head = await raw(stack.url, 'HEAD', '/healthz');
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
    });

    it('is not part of the WebDAV tree: not listed, and the tree still asks for credentials', async () => {
      assert.equal((await raw(stack.url, 'PROPFIND', '/dav/', { headers: { Depth: '1' } })).status, 401);
      const listing = await raw(stack.url, 'PROPFIND', '/dav/', { headers: { ...auth, Depth: '1' } });
      assert.equal(listing.status, 207);
      assert.doesNotMatch(listing.body, /healthz/);
      // The same name inside the tree is an ordinary resource.
      assert.equal((await raw(stack.url, 'GET', '/dav/healthz', { headers: auth })).status, 404);
      assert.equal((await raw(stack.url, 'GET', '/dav/healthz')).status, 401);
    });

    it('only the exact path is the health check', async () => {
      for (const path of ['/healthz/', '/healthz/x', '/HEALTHZ', '/healthzz']) {
        const res = await raw(stack.url, 'GET', path);
        assert.notEqual(res.status, 200, path);
        assert.doesNotMatch(res.body, /"status":"ok"/, path);
      }
    });

    it('refuses writes with 405 and stores nothing (regression: a PUT to the health path answered 200 as if stored)', async () => {
      for (const method of ['PUT', 'DELETE', 'MKCOL', 'PROPFIND', 'POST']) {
        const res = await raw(stack.url, method, '/healthz', { headers: auth, body: method === 'PUT' ? 'not stored' : undefined });
        assert.equal(res.status, 405, `${method} /healthz answered ${res.status}`);
        assert.match(String(res.headers.allow), /GET/);
      }
      const reader = await accountReader(stack.emulator);
      try {
        assert.deepEqual(await reader.tree(), []);
      } finally {
        await reader.close();
      }
    });
  });

  describe('turned off (healthPath null)', () => {
    let stack: Stack;
    before(async () => {
      stack = await startStack({ users: [USER], config: { server: { healthPath: null } } });
    });
    after(async () => {
      await stack?.close();
    });

    it('the default path is an ordinary WebDAV path: 401 without credentials, 404 with', async () => {
      assert.equal((await raw(stack.url, 'GET', '/_health')).status, 401);
      assert.equal((await raw(stack.url, 'GET', '/healthz')).status, 401);
      assert.equal((await raw(stack.url, 'GET', '/_health', { headers: auth })).status, 404);
      // …and a file of that name can be stored like any other.
      assert.equal((await raw(stack.url, 'PUT', '/_health', { headers: auth, body: 'mine' })).status, 201);
      assert.equal((await raw(stack.url, 'GET', '/_health', { headers: auth })).body, 'mine');
    });
  });
});
