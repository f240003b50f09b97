/**
 * What each refusal looks like on the wire over the whole stack (emulator + bridge): the status,
 * the RFC 4918 precondition element where one applies, the headers that go with it, and that
 * nothing reached the service. The cases here are the ones no other whole-stack spec pins down;
 * 423 lock-token-submitted (lock-roots-per-viewer), 414 (metadata) and If-Match 412
 * (other-writers) are covered there.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { dav, destinationOf, RemoteView } from './helpers.js';

const LOCK_BODY = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';

/** The body of a DAV:error with exactly `element` (and its hrefs) inside, as RFC 4918 writes it. */
function conditionOf(body: string): { element: string; hrefs: string[] } | undefined {
  const m = /<D:error xmlns:D="DAV:">\s*<D:([a-z-]+)(?:\/>|>([\s\S]*?)<\/D:\1>)\s*<\/D:error>/.exec(body);
  if (!m) return undefined;
  const hrefs = [...(m[2] ?? '').matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((h) => decodeURIComponent(new URL(h[1]!, 'http://x').pathname));
  return { element: m[1]!, hrefs };
}

describe('e2e: named errors on the wire', function () {
  this.timeout(90_000);
  let stack: Stack;
  let remote: RemoteView;
  const log: Record<string, unknown>[] = [];

  const lock = async (path: string, headers: Record<string, string> = {}) => {
    const res = await dav(stack, 'LOCK', path, { headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600', ...headers }, body: LOCK_BODY });
    return { status: res.status, token: res.headers.get('lock-token') ?? '', body: await res.text() };
  };

  before(async () => {
    stack = await startStack({
      // A small account, so a full one can be reached with a few bytes.
      emulator: { capacity: 64 * 1024 },
      logSink: { write: (line: string) => log.push(JSON.parse(line) as Record<string, unknown>) },
    });
    remote = await RemoteView.open(stack);
    assert.equal((await dav(stack, 'MKCOL', '/docs')).status, 201);
    assert.equal((await dav(stack, 'PUT', '/docs/a.txt', { body: 'a' })).status, 201);
    assert.equal((await dav(stack, 'PUT', '/docs/b.txt', { body: 'b' })).status, 201);
  });
  after(async () => stack?.close());

  it('409 for a missing parent collection, on PUT, MKCOL, COPY, MOVE and LOCK, and nothing is created', async () => {
    const copy = { Destination: destinationOf(stack, '/nowhere/a.txt') };
    const answers = {
      PUT: await dav(stack, 'PUT', '/nowhere/new.txt', { body: 'x' }),
      MKCOL: await dav(stack, 'MKCOL', '/nowhere/sub'),
      COPY: await dav(stack, 'COPY', '/docs/a.txt', { headers: copy }),
      MOVE: await dav(stack, 'MOVE', '/docs/a.txt', { headers: copy }),
      LOCK: await dav(stack, 'LOCK', '/nowhere/new.txt', { headers: { 'Content-Type': 'application/xml' }, body: LOCK_BODY }),
    };
    for (const [method, res] of Object.entries(answers)) {
      assert.equal(res.status, 409, `${method}: ${await res.text()}`);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/, method);
    }
    assert.ok(!(await remote.live('/')).includes('nowhere'), 'no folder appeared at the service');
    assert.equal((await dav(stack, 'GET', '/docs/a.txt')).status, 200, 'the MOVE source is still there');
  });

  it('423 no-conflicting-lock names the root of the lock in the way', async () => {
    const first = await lock('/docs/b.txt');
    assert.equal(first.status, 200, first.body);
    const second = await lock('/docs/b.txt');
    assert.equal(second.status, 423, second.body);
    assert.deepEqual(conditionOf(second.body), { element: 'no-conflicting-lock', hrefs: ['/docs/b.txt'] });
    assert.equal((await dav(stack, 'UNLOCK', '/docs/b.txt', { headers: { 'Lock-Token': first.token } })).status, 204);
  });

  it('lock-token-matches-request-uri: 409 on UNLOCK and 412 on a LOCK refresh with the token of another resource', async () => {
    const held = await lock('/docs/a.txt');
    assert.equal(held.status, 200, held.body);
    const unlock = await dav(stack, 'UNLOCK', '/docs/b.txt', { headers: { 'Lock-Token': held.token } });
    const unlockBody = await unlock.text();
    assert.equal(unlock.status, 409, unlockBody);
    assert.deepEqual(conditionOf(unlockBody), { element: 'lock-token-matches-request-uri', hrefs: [] });
    // The If header is true (it tags the token with the resource it belongs to), yet the token
    // does not lock the resource being refreshed.
    const refresh = await dav(stack, 'LOCK', '/docs/b.txt', { headers: { If: `<${destinationOf(stack, '/docs/a.txt')}> (${held.token})`, Timeout: 'Second-600' } });
    const refreshBody = await refresh.text();
    assert.equal(refresh.status, 412, refreshBody);
    assert.deepEqual(conditionOf(refreshBody), { element: 'lock-token-matches-request-uri', hrefs: [] });
    assert.equal((await dav(stack, 'UNLOCK', '/docs/a.txt', { headers: { 'Lock-Token': held.token } })).status, 204);
  });

  it('412 when the If header names a lock that does not exist, and the file keeps its content', async () => {
    const res = await dav(stack, 'PUT', '/docs/a.txt', { headers: { If: '(<opaquelocktoken:00000000-0000-0000-0000-000000000000>)' }, body: 'lost' });
    assert.equal(res.status, 412, await res.text());
    assert.equal(await (await dav(stack, 'GET', '/docs/a.txt')).text(), 'a');
  });

  it('405 for a method the server does not serve (PATCH), with the methods it serves in Allow', async () => {
    const res = await dav(stack, 'PATCH', '/docs/a.txt', { body: 'x' });
    assert.equal(res.status, 405);
    for (const method of ['PROPFIND', 'LOCK', 'MOVE']) assert.match(res.headers.get('allow') ?? '', new RegExp(`\\b${method}\\b`));
  });

  it('507 with an InsufficientStorage DAV:error when the account is full, and the previous version stays', async () => {
    const res = await dav(stack, 'PUT', '/docs/a.txt', { body: Buffer.alloc(128 * 1024, 7) });
    const body = await res.text();
    assert.equal(res.status, 507, body);
    assert.match(body, /<s:exception>InsufficientStorage<\/s:exception>/);
    assert.equal(await (await dav(stack, 'GET', '/docs/a.txt')).text(), 'a');
  });

  it('503 with Retry-After while the service keeps failing, and the access log names the failure by its codes', async () => {
    stack.emulator.controls.failNext({ method: 'POST', path: /\/files\/v1\/allocate$/, status: 503, times: 1000 });
    const res = await dav(stack, 'PUT', '/docs/down.txt', { body: 'never stored' });
    assert.equal(res.status, 503, await res.text());
    assert.equal(res.headers.get('retry-after'), '30');
    const line = log.find((l) => l['method'] === 'PUT' && l['path'] === '/docs/down.txt');
    assert.match(String(line?.['error']), /\[UNAVAILABLE ← JOTTA_SERVER_ERROR\]$/, JSON.stringify(line));
  });
});
