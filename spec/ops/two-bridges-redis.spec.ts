/**
 * The product promise that several jottadav instances can serve one Jottacloud account when they
 * share a Redis store: two full bridges (startApp) on ephemeral ports, one emulator account, one
 * private redis-server, driven over HTTP only. Locks, dead properties, the listing cache and the
 * rotating OAuth token must all be shared.
 *
 * Each assertion can fail: the "separate memory stores" block runs the lock and listing scenarios
 * against two bridges that do NOT share a store, and the token scenario against two bridges each
 * on its own copy of the token, and asserts the opposite outcome, so the Redis block passes only
 * because of the shared store.
 */
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis-server.js';
import { childNames, dav, startBridges, type Bridges } from './two-bridges-support.js';

const LOCK_BODY =
  '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>bridge-a</D:owner></D:lockinfo>';
const PROPPATCH_BODY =
  '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:example:two-bridges"><D:set><D:prop><Z:colour>teal</Z:colour></D:prop></D:set></D:propertyupdate>';
const PROPFIND_BODY = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:example:two-bridges"><D:prop><Z:colour/></D:prop></D:propfind>';
// A listing TTL far beyond the spec's run: B may only see A's changes through the shared store.
const LONG_CACHE = { cache: { listingTtl: '1h' } };

describe('ops: two bridges share one account through Redis', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let redis: RedisServer;
  let bridges: Bridges;

  before(async function () {
    // No silent skip: the spec requires redis-server (installed on the dev machine and in CI).
    assert.ok(redisAvailable(), 'redis-server must be installed to run this spec');
    emulator = await startEmulator({});
    redis = await startRedis();
    bridges = await startBridges(emulator, redis.url, LONG_CACHE);
  });
  after(async () => {
    await bridges?.close();
    await redis?.stop();
    await emulator?.close();
  });

  it('a LOCK taken through A makes a tokenless PUT through B answer 423; with the token it succeeds; UNLOCK through B releases it', async () => {
    const { a, b } = bridges;
    assert.equal((await dav(a, 'PUT', '/locked.txt', { body: 'v1' })).status, 201);
    const lock = await dav(a, 'LOCK', '/locked.txt', { headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600' }, body: LOCK_BODY });
    assert.equal(lock.status, 200, await lock.text());
    const token = lock.headers.get('lock-token');
    assert.ok(token, 'LOCK answers a Lock-Token header');

    const blocked = await dav(b, 'PUT', '/locked.txt', { body: 'B without token' });
    assert.equal(blocked.status, 423);
    const withToken = await dav(b, 'PUT', '/locked.txt', { headers: { If: `(${token})` }, body: 'B with token' });
    assert.equal(withToken.status, 204, await withToken.text());
    assert.equal(await (await dav(a, 'GET', '/locked.txt')).text(), 'B with token');

    assert.equal((await dav(b, 'UNLOCK', '/locked.txt', { headers: { 'Lock-Token': token } })).status, 204);
    assert.equal((await dav(a, 'PUT', '/locked.txt', { body: 'A after unlock' })).status, 204, 'the lock is gone for A as well');
    assert.equal(await (await dav(b, 'GET', '/locked.txt')).text(), 'A after unlock');
  });

  it('a dead property PROPPATCHed through A is returned by PROPFIND through B', async () => {
    const { a, b } = bridges;
    assert.equal((await dav(a, 'PUT', '/props.txt', { body: 'p' })).status, 201);
    const set = await dav(a, 'PROPPATCH', '/props.txt', { headers: { 'Content-Type': 'application/xml' }, body: PROPPATCH_BODY });
    assert.equal(set.status, 207);
    const get = await dav(b, 'PROPFIND', '/props.txt', { headers: { Depth: '0', 'Content-Type': 'application/xml' }, body: PROPFIND_BODY });
    assert.equal(get.status, 207);
    const text = await get.text();
    assert.match(text, /<[^>]*colour[^>]*>teal</, text);
    assert.match(text, /200 OK/);
  });

  it("B's cached listing shows a PUT, a DELETE and a MOVE made through A at once (no waiting for the TTL)", async () => {
    const { a, b } = bridges;
    assert.equal((await dav(a, 'MKCOL', '/shared/')).status, 201);
    assert.equal((await dav(a, 'PUT', '/shared/keep.txt', { body: 'k' })).status, 201);
    assert.equal((await dav(a, 'PUT', '/shared/gone.txt', { body: 'g' })).status, 201);
    assert.equal((await dav(a, 'PUT', '/shared/old-name.txt', { body: 'o' })).status, 201);
    // B lists (and caches) the folder.
    assert.deepEqual(await childNames(b, '/shared/'), ['gone.txt', 'keep.txt', 'old-name.txt']);

    assert.equal((await dav(a, 'PUT', '/shared/new.txt', { body: 'n' })).status, 201);
    assert.deepEqual(await childNames(b, '/shared/'), ['gone.txt', 'keep.txt', 'new.txt', 'old-name.txt'], 'PUT through A');

    assert.equal((await dav(a, 'DELETE', '/shared/gone.txt')).status, 204);
    assert.deepEqual(await childNames(b, '/shared/'), ['keep.txt', 'new.txt', 'old-name.txt'], 'DELETE through A');

    const move = await dav(a, 'MOVE', '/shared/old-name.txt', { headers: { Destination: new URL('shared/new-name.txt', a.url).href } });
    assert.equal(move.status, 201, await move.text());
    assert.deepEqual(await childNames(b, '/shared/'), ['keep.txt', 'new-name.txt', 'new.txt'], 'MOVE through A');
    assert.equal(await (await dav(b, 'GET', '/shared/new-name.txt')).text(), 'o');
  });

  it('both bridges refresh the shared OAuth token concurrently after it expires without tripping refresh-token reuse detection', async () => {
    // Counterpart that fails (negative control below): two bridges each holding their own copy of
    // the refresh token both present the same single-use token after expiry, and the emulator
    // refuses the second presentation and revokes the whole family (lib/emulator/auth.ts
    // refreshGrant). Only the token (and its refresh lease) in Redis prevents it.
    const { a, b } = bridges;
    assert.equal((await dav(a, 'MKCOL', '/tokens/')).status, 201);
    assert.equal((await dav(a, 'PUT', '/tokens/seed.txt', { body: 'seed' })).status, 201);

    for (let round = 1; round <= 2; round++) {
      const before = emulator.controls.requests().length;
      emulator.controls.expireTokens();
      // Every request below has to reach Jottacloud (uploads and downloads are never cached), so
      // each bridge meets the expired access token and must refresh or pick up the other's refresh.
      const work = [a, b, a, b, a, b].map((app, i) =>
        i % 2 === 0
          ? dav(app, 'PUT', `/tokens/r${round}-${i}.txt`, { body: `round ${round} request ${i}` }).then((r) => r.status)
          : dav(app, 'GET', '/tokens/seed.txt').then(async (r) => `${r.status} ${await r.text()}`),
      );
      const results = await Promise.all(work);
      assert.deepEqual(results, [201, '200 seed', 201, '200 seed', 201, '200 seed'], `round ${round}`);

      const grants = emulator.controls.requests().slice(before).filter((e) => e.grantType === 'refresh_token');
      assert.ok(grants.length >= 1, `round ${round}: the expired token was refreshed`);
      assert.deepEqual(
        grants.map((g) => g.status),
        grants.map(() => 200),
        `round ${round}: no refresh was refused (a refused one means a reused refresh token, which revokes the family)`,
      );
    }

    // The family is still alive: both bridges keep working on the refreshed token.
    assert.equal((await dav(a, 'PUT', '/tokens/after.txt', { body: 'after' })).status, 201);
    assert.equal(await (await dav(b, 'GET', '/tokens/after.txt')).text(), 'after');
    assert.deepEqual(await childNames(b, '/tokens/'), ['after.txt', 'r1-0.txt', 'r1-2.txt', 'r1-4.txt', 'r2-0.txt', 'r2-2.txt', 'r2-4.txt', 'seed.txt']);
  });
});

describe('ops: two bridges with separate memory stores (negative control for the Redis spec)', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let bridges: Bridges;

  before(async () => {
    emulator = await startEmulator({});
    bridges = await startBridges(emulator, 'memory', LONG_CACHE);
  });
  after(async () => {
    await bridges?.close();
    await emulator?.close();
  });

  it("without a shared store B does not see A's lock: the 423 assertion above depends on Redis", async () => {
    const { a, b } = bridges;
    assert.equal((await dav(a, 'PUT', '/locked.txt', { body: 'v1' })).status, 201);
    const lock = await dav(a, 'LOCK', '/locked.txt', { headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600' }, body: LOCK_BODY });
    assert.equal(lock.status, 200);
    assert.equal((await dav(b, 'PUT', '/locked.txt', { body: 'B without token' })).status, 204);
  });

  it("without a shared store B keeps serving its cached listing: the listing assertion above depends on Redis", async () => {
    const { a, b } = bridges;
    assert.equal((await dav(a, 'MKCOL', '/shared/')).status, 201);
    assert.equal((await dav(a, 'PUT', '/shared/keep.txt', { body: 'k' })).status, 201);
    assert.deepEqual(await childNames(b, '/shared/'), ['keep.txt']);
    assert.equal((await dav(a, 'PUT', '/shared/new.txt', { body: 'n' })).status, 201);
    assert.deepEqual(await childNames(b, '/shared/'), ['keep.txt'], 'B still answers from its own cache');
  });

  it('without a shared token two bridges refreshing after expiry trip reuse detection: the token assertion above depends on Redis', async () => {
    const copied = await startBridges(emulator, 'memory', {}, { copiedTokens: true });
    try {
      assert.equal((await dav(copied.a, 'PUT', '/copied-seed.txt', { body: 's' })).status, 201);
      const before = emulator.controls.requests().length;
      emulator.controls.expireTokens();
      await Promise.all([dav(copied.a, 'PUT', '/copied-a.txt', { body: 'a' }), dav(copied.b, 'PUT', '/copied-b.txt', { body: 'b' })]);
      const grants = emulator.controls.requests().slice(before).filter((e) => e.grantType === 'refresh_token');
      assert.ok(
        grants.some((g) => g.status === 400),
        `a reused refresh token was refused: ${JSON.stringify(grants.map((g) => g.status))}`,
      );
    } finally {
      await copied.close();
    }
  });
});
