/**
 * Anonymous access next to users: with anonymous.enabled, a request with credentials is that
 * user (wrong credentials get 401) and only a request without any gets the anonymous view. The
 * bug this pins: valid credentials got the read-only anonymous view, and so did wrong ones.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';

const ANONYMOUS = { enabled: true, account: 'main', root: '/public', readOnly: true };

function names(multistatus: string): string[] {
  return [...multistatus.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(m[1] as string)).sort();
}

describe('e2e: anonymous access beside users', function () {
  this.timeout(30_000);
  let stack: Stack;
  const request = (method: string, path: string, auth: string | undefined, body?: string) =>
    fetch(new URL(path.replace(/^\//, ''), stack.url), { method, headers: { Depth: '1', ...(auth ? { Authorization: auth } : {}) }, body });

  before(async () => {
    stack = await startStack({ config: { anonymous: ANONYMOUS } });
    const alice = stack.authHeader();
    assert.equal((await request('MKCOL', '/public/', alice)).status, 201);
    assert.equal((await request('PUT', '/public/hello.txt', alice, 'for everyone')).status, 201);
    assert.equal((await request('PUT', '/secret.txt', alice, 'for alice')).status, 201);
  });
  after(async () => stack?.close());

  it('regression: valid credentials are that user (her root, her right to write), not the anonymous view', async () => {
    const listing = await request('PROPFIND', '/', stack.authHeader());
    assert.equal(listing.status, 207);
    assert.deepEqual(names(await listing.text()), ['/', '/public/', '/secret.txt']);
    assert.equal(await (await request('GET', '/secret.txt', stack.authHeader())).text(), 'for alice');
    assert.equal((await request('PUT', '/written-by-alice.txt', stack.authHeader(), 'a')).status, 201);
  });

  it('regression: wrong credentials get 401 with a challenge, never the anonymous view', async () => {
    for (const auth of [`Basic ${Buffer.from('alice:wrong').toString('base64')}`, `Basic ${Buffer.from('nobody:pw').toString('base64')}`, 'Basic !!!']) {
      const res = await request('PROPFIND', '/', auth);
      assert.equal(res.status, 401, auth);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    }
  });

  it('a request without credentials gets the anonymous view: its own root, read-only', async () => {
    const listing = await request('PROPFIND', '/', undefined);
    assert.equal(listing.status, 207);
    assert.deepEqual(names(await listing.text()), ['/', '/hello.txt']);
    assert.equal(await (await request('GET', '/hello.txt', undefined)).text(), 'for everyone');
    assert.equal((await request('GET', '/secret.txt', undefined)).status, 404, 'outside the anonymous root');
    assert.equal((await request('PUT', '/hello.txt', undefined, 'vandal')).status, 403);
    assert.equal(await (await request('GET', '/public/hello.txt', stack.authHeader())).text(), 'for everyone');
  });
});
