/**
 * Users with different roots on one account share locks, and each sees a lock's root in their
 * own path space. The bug this pins: lockroot (and the 423 lock-token-submitted href) was the
 * path the lock's creator used, so a user with another root saw a path that named a different
 * file of theirs. A lock rooted above a viewer's root has no path of theirs and shows none.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';

const LOCK_BODY = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>spec</D:owner></D:lockinfo>';
const LOCKDISCOVERY = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:lockdiscovery/></D:prop></D:propfind>';

/** The lockroot hrefs in a body, decoded, as paths. */
function lockRoots(body: string): string[] {
  return [...body.matchAll(/<D:lockroot><D:href>([^<]*)<\/D:href><\/D:lockroot>/g)].map((m) => decodeURIComponent(new URL(m[1] as string, 'http://x').pathname));
}

/** The hrefs DAV:lock-token-submitted names in a 423 body. */
function submittedHrefs(body: string): string[] {
  const inside = /<D:lock-token-submitted>([\s\S]*?)<\/D:lock-token-submitted>/.exec(body)?.[1] ?? '';
  return [...inside.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(new URL(m[1] as string, 'http://x').pathname));
}

function hrefs(body: string): string[] {
  return [...body.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(new URL(m[1] as string, 'http://x').pathname));
}

describe('e2e: lock roots in each viewer\'s own path space', function () {
  this.timeout(60_000);
  let stack: Stack;
  const as = (user: string, method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) =>
    fetch(new URL(path.replace(/^\//, ''), stack.url), { method, headers: { Authorization: stack.authHeader(user), ...init.headers }, body: init.body });
  const lock = async (user: string, path: string, depth: '0' | 'infinity') => {
    const res = await as(user, 'LOCK', path, { headers: { 'Content-Type': 'application/xml', Depth: depth, Timeout: 'Second-600' }, body: LOCK_BODY });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return { token: res.headers.get('lock-token') as string, roots: lockRoots(text) };
  };
  const discovered = async (user: string, path: string, depth: '0' | '1' = '0') => {
    const res = await as(user, 'PROPFIND', path, { headers: { Depth: depth, 'Content-Type': 'application/xml' }, body: LOCKDISCOVERY });
    const text = await res.text();
    assert.equal(res.status, 207, text);
    return { text, roots: lockRoots(text) };
  };

  before(async () => {
    stack = await startStack({
      users: [
        { name: 'alice', password: 'alice pw', root: '/' },
        { name: 'bob', password: 'bob pw', root: '/projects' },
        { name: 'carol', password: 'carol pw', root: '/projects/area/inner' },
      ],
    });
    for (const folder of ['/projects/', '/projects/doc/', '/projects/area/', '/projects/area/inner/']) assert.equal((await as('alice', 'MKCOL', folder)).status, 201, folder);
    assert.equal((await as('alice', 'PUT', '/projects/doc/a.txt', { body: 'a' })).status, 201);
    assert.equal((await as('alice', 'PUT', '/projects/area/inner/c.txt', { body: 'c' })).status, 201);
  });
  after(async () => stack?.close());

  it('regression: a lock bob takes shows its root in alice\'s path space to alice, and in his to him', async () => {
    const taken = await lock('bob', '/doc/a.txt', '0');
    assert.deepEqual(taken.roots, ['/doc/a.txt'], 'the LOCK answer speaks bob\'s paths');
    assert.deepEqual((await discovered('bob', '/doc/a.txt')).roots, ['/doc/a.txt']);
    assert.deepEqual((await discovered('alice', '/projects/doc/a.txt')).roots, ['/projects/doc/a.txt']);
    assert.deepEqual((await discovered('alice', '/projects/doc/', '1')).roots, ['/projects/doc/a.txt'], 'a Depth-1 listing too');

    const blocked = await as('alice', 'PUT', '/projects/doc/a.txt', { body: 'alice without the token' });
    assert.equal(blocked.status, 423);
    assert.deepEqual(submittedHrefs(await blocked.text()), ['/projects/doc/a.txt']);
    // DELETE of the folder: a multistatus naming the locked member, in alice's path space.
    const tree = await as('alice', 'DELETE', '/projects/doc/');
    assert.equal(tree.status, 207, 'a lock below a folder of alice\'s blocks its DELETE');
    const treeBody = await tree.text();
    assert.match(treeBody, /423/);
    assert.deepEqual(hrefs(treeBody), ['/projects/doc/a.txt']);

    assert.equal((await as('bob', 'UNLOCK', '/doc/a.txt', { headers: { 'Lock-Token': taken.token } })).status, 204);
    assert.deepEqual((await discovered('alice', '/projects/doc/a.txt')).roots, []);
  });

  it('a lock rooted above the viewer\'s root protects her files but shows no path of hers', async () => {
    const taken = await lock('alice', '/projects/area/', 'infinity');
    assert.deepEqual((await discovered('bob', '/area/inner/c.txt')).roots, ['/area'], 'inside bob\'s root: his path');

    const carol = await discovered('carol', '/c.txt');
    assert.match(carol.text, /<D:activelock>/, 'carol sees that her file is locked');
    assert.deepEqual(carol.roots, [], 'but no lockroot: /projects/area is no path of hers');
    assert.doesNotMatch(carol.text, /projects/);

    const blocked = await as('carol', 'PUT', '/c.txt', { body: 'carol without the token' });
    assert.equal(blocked.status, 423, 'the lock above her root protects her file');
    assert.deepEqual(submittedHrefs(await blocked.text()), ['/c.txt'], 'the 423 names her own resource, not a path outside her root');

    assert.equal((await as('alice', 'UNLOCK', '/projects/area/', { headers: { 'Lock-Token': taken.token } })).status, 204);
    assert.equal((await as('carol', 'PUT', '/c.txt', { body: 'carol after unlock' })).status, 204);
  });
});
