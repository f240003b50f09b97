/**
 * Regression: locks were kept per WebDAV user, so users whose roots overlap did not see each
 * other's locks: with alice rooted at /alice and admin at /, alice's LOCK on /doc.txt did not
 * stop admin from overwriting /alice/doc.txt (204 instead of 423). Users of one account now
 * share locks (and dead properties) through account-level resource keys.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';

const LOCK_BODY = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>alice</D:owner></D:lockinfo>';

describe('ops: users with overlapping roots share locks', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      users: [
        { name: 'admin', password: 'admin secret' },
        { name: 'alice', password: 'alice secret', root: '/alice' },
        { name: 'carol', password: 'carol secret', root: '/carol' },
      ],
    });
    const mk = await fetch(new URL('alice/', stack.url), { method: 'MKCOL', headers: { Authorization: stack.authHeader('admin') } });
    assert.equal(mk.status, 201);
    await fetch(new URL('carol/', stack.url), { method: 'MKCOL', headers: { Authorization: stack.authHeader('admin') } });
  });
  after(async () => {
    await stack?.close();
  });

  const as = (user: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) =>
    fetch(new URL(path.replace(/^\//, ''), stack.url), { method, headers: { Authorization: stack.authHeader(user), ...init.headers }, body: init.body });

  it("regression: a lock taken by alice on her /doc.txt stops admin's write to /alice/doc.txt", async () => {
    const first = await as('alice', 'PUT', '/doc.txt', { body: 'alice v1' });
    assert.equal(first.status, 201, await first.text());
    const lock = await as('alice', 'LOCK', '/doc.txt', { headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600' }, body: LOCK_BODY });
    assert.equal(lock.status, 200);
    const token = lock.headers.get('lock-token');
    assert.ok(token);

    assert.equal((await as('admin', 'PUT', '/alice/doc.txt', { body: 'admin overwrite' })).status, 423);
    const discovery = await as('admin', 'PROPFIND', '/alice/doc.txt', {
      headers: { Depth: '0', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>',
    });
    assert.ok((await discovery.text()).includes(token.replace(/[<>]/g, '')), 'admin sees the lock');

    // alice, with her token, still writes; after UNLOCK admin can.
    assert.equal((await as('alice', 'PUT', '/doc.txt', { headers: { If: `(${token})` }, body: 'alice v2' })).status, 204);
    assert.equal((await as('alice', 'UNLOCK', '/doc.txt', { headers: { 'Lock-Token': token } })).status, 204);
    assert.equal((await as('admin', 'PUT', '/alice/doc.txt', { body: 'admin v3' })).status, 204);
    assert.equal(await (await as('alice', 'GET', '/doc.txt')).text(), 'admin v3');
  });

  it("the same client path under another user's root is another resource: carol's /doc.txt is not locked by alice's", async () => {
    const lock = await as('alice', 'LOCK', '/doc.txt', { headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600' }, body: LOCK_BODY });
    assert.equal(lock.status, 200);
    assert.equal((await as('carol', 'PUT', '/doc.txt', { body: 'carol' })).status, 201);
    assert.equal((await as('alice', 'UNLOCK', '/doc.txt', { headers: { 'Lock-Token': lock.headers.get('lock-token')! } })).status, 204);
  });

  it('dead properties set by one user are seen by another user of the same resource', async () => {
    const set = await as('alice', 'PROPPATCH', '/doc.txt', {
      headers: { 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example"><D:set><D:prop><Z:color>green</Z:color></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(set.status, 207);
    const get = await as('admin', 'PROPFIND', '/alice/doc.txt', {
      headers: { Depth: '0', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:example"><D:prop><Z:color/></D:prop></D:propfind>',
    });
    assert.match(await get.text(), />green</);
  });
});
