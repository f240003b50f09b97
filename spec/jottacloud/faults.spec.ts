/**
 * Fault specs, asserted on the emulator's request log: token refresh (401, expiry, concurrency,
 * two clients on one store), retries (429 + Retry-After, 503 bursts, non-idempotent calls), and
 * uploads (cut connection resumes from resume_pos, dedup sends nothing).
 */
import assert from 'node:assert/strict';
import { isStorageError } from '../../lib/storage/errors.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { createStore } from '../../lib/store/create-store.js';
import type { KeyValueStore } from '../../lib/store/key-value-store.js';
import { redisAvailable, startRedis } from '../support/redis-server.js';
import type { JottacloudBackend } from '../../lib/jottacloud/backend.js';
import { emulatorBackend, FAST_RETRY, refreshCount, requestsSince, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { bufferBody, collect, md5Hex, pattern } from './support.js';

type LogEntry = ReturnType<TestEmulator['emu']['controls']['requests']>[number];

const isJfs = (r: LogEntry) => r.path.startsWith('/jfs/');
const isAllocate = (r: LogEntry) => r.path.endsWith('/files/v1/allocate');
/** Byte uploads go to the opaque upload_url; everything else has a known prefix. */
const isUpload = (r: LogEntry) =>
  r.method === 'POST' && !isJfs(r) && !isAllocate(r) && !r.path.includes('/auth/') && !r.path.includes('/account/') && !r.path.includes('purge_trash') && r.grantType === undefined;

describe('jottacloud faults (emulator request log)', function () {
  this.timeout(60_000);
  let h: TestEmulator;
  const backends: JottacloudBackend[] = [];
  const track = (b: JottacloudBackend) => (backends.push(b), b);

  before(async () => {
    h = await startTestEmulator();
  });
  after(async () => {
    for (const b of backends) await b.close();
    await h?.close();
  });

  describe('token refresh', () => {
    it('a 401 leads to exactly one refresh and one retry of the call', async () => {
      const b = track(await emulatorBackend(h.emu));
      await b.mkdir('/auth401');
      const mark = h.emu.controls.requests().length;
      h.emu.controls.expireTokens();
      const entry = await b.stat('/auth401');
      assert.equal(entry.kind, 'folder');
      const log = requestsSince(h.emu, mark);
      assert.equal(refreshCount(log), 1);
      const calls = log.filter((r) => isJfs(r) && r.path.endsWith('/auth401'));
      assert.deepEqual(calls.map((r) => r.status), [401, 200], 'the call is sent once more after the refresh');
    });

    it('50 concurrent calls on a token the server expired make exactly one refresh request', async () => {
      const b = track(await emulatorBackend(h.emu));
      await b.mkdir('/concurrent');
      const mark = h.emu.controls.requests().length;
      h.emu.controls.expireTokens();
      const results = await Promise.all(Array.from({ length: 50 }, () => b.stat('/concurrent')));
      assert.equal(results.length, 50);
      const log = requestsSince(h.emu, mark);
      assert.equal(refreshCount(log), 1);
      assert.equal(log.filter((r) => isJfs(r) && r.status === 200).length, 50);
    });

    it('50 concurrent calls on a token the client knows to be expired make exactly one refresh request', async () => {
      let now = Date.now();
      const b = track(await emulatorBackend(h.emu, { auth: { now: () => now } }));
      await b.mkdir('/expired');
      now += 2 * 3600_000; // two hours later: the access token is past its expiry
      const mark = h.emu.controls.requests().length;
      await Promise.all(Array.from({ length: 50 }, () => b.stat('/expired')));
      const log = requestsSince(h.emu, mark);
      assert.equal(refreshCount(log), 1);
      assert.equal(log.filter((r) => r.status === 401).length, 0, 'refreshed before use, not after a rejection');
    });

    async function twoClientsOneRefresh(storeA: KeyValueStore, storeB: KeyValueStore, folder: string): Promise<void> {
      const a = track(await emulatorBackend(h.emu, { store: storeA }));
      const b = track(await emulatorBackend(h.emu, { store: storeB })); // finds and reuses the stored session
      await a.mkdir(folder);
      await b.stat(folder);
      for (let round = 1; round <= 3; round++) {
        const mark = h.emu.controls.requests().length;
        h.emu.controls.expireTokens();
        await Promise.all([...Array.from({ length: 10 }, () => a.stat(folder)), ...Array.from({ length: 10 }, () => b.stat(folder))]);
        const log = requestsSince(h.emu, mark);
        assert.equal(refreshCount(log), 1, `round ${round}: one refresh between both clients`);
        const tokenFailures = log.filter((r) => r.grantType !== undefined && r.status >= 400);
        assert.deepEqual(tokenFailures, [], 'no refresh token was presented twice (that would revoke the session)');
      }
    }

    it('two clients sharing one store make one refresh between them, and the session survives', async () => {
      const shared = new MemoryStore();
      await twoClientsOneRefresh(shared, shared, '/shared');
    });

    it('two clients on one Redis (two connections, as two processes would have) make one refresh between them', async function () {
      if (!redisAvailable()) {
        this.test!.title += ' (skipped: redis-server binary not installed)';
        this.skip();
      }
      const redis = await startRedis();
      const storeA = createStore({ kind: 'redis', url: redis.url });
      const storeB = createStore({ kind: 'redis', url: redis.url });
      try {
        await twoClientsOneRefresh(storeA, storeB, '/shared-redis');
      } finally {
        for (const b of backends.splice(-2)) await b.close();
        await storeA.close();
        await storeB.close();
        await redis.stop();
      }
    });

    it('a revoked session surfaces as AUTH_EXPIRED', async () => {
      const b = track(await emulatorBackend(h.emu));
      await b.mkdir('/revoked');
      h.emu.controls.revokeRefreshTokens();
      h.emu.controls.expireTokens();
      await assert.rejects(b.stat('/revoked'), (e: unknown) => isStorageError(e, 'AUTH_EXPIRED'));
    });

    it('a long upload keeps its token fresh', async () => {
      const { emu, close } = await startTestEmulator({ accessTokenTtlSeconds: 2 });
      try {
        const b = await emulatorBackend(emu);
        const mark = emu.controls.requests().length;
        emu.controls.delay({ path: /upload/, ms: 2500 });
        await b.upload('/slow.bin', bufferBody(pattern(10_000)));
        const log = requestsSince(emu, mark);
        const upload = log.find(isUpload);
        assert.ok(upload, 'an upload request was made');
        // The log stamps arrival; the upload's answer came at least 2500 ms after its arrival.
        const during = log.filter((r) => r.grantType === 'refresh_token' && r.time > upload.time && r.time < upload.time + 2500);
        assert.ok(during.length >= 1, 'the token was refreshed while the upload was still running');
        assert.equal(log.filter((r) => r.status === 401).length, 0, 'no call met an expired token');
        await b.close();
      } finally {
        await close();
      }
    });
  });

  describe('retries', () => {
    let b: JottacloudBackend;
    before(async () => {
      b = track(await emulatorBackend(h.emu, { retry: { ...FAST_RETRY, maxAttempts: 4 } }));
      await b.mkdir('/retry');
    });

    it('429 with Retry-After: the call waits at least that long, then succeeds', async () => {
      const mark = h.emu.controls.requests().length;
      h.emu.controls.failNext({ method: 'GET', path: /\/retry$/, status: 429, times: 1, retryAfter: 1 });
      await b.stat('/retry');
      const calls = requestsSince(h.emu, mark).filter((r) => isJfs(r) && r.path.endsWith('/retry'));
      assert.deepEqual(calls.map((r) => r.status), [429, 200]);
      assert.ok(calls[1]!.time - calls[0]!.time >= 950, `waited ${calls[1]!.time - calls[0]!.time} ms for Retry-After: 1`);
    });

    it('a burst of 503 shorter than the bound is retried through', async () => {
      const mark = h.emu.controls.requests().length;
      h.emu.controls.failNext({ method: 'GET', path: /\/retry$/, status: 503, times: 3 });
      await b.stat('/retry');
      const calls = requestsSince(h.emu, mark).filter((r) => isJfs(r) && r.path.endsWith('/retry'));
      assert.deepEqual(calls.map((r) => r.status), [503, 503, 503, 200]);
    });

    it('503 beyond the bound surfaces as UNAVAILABLE after exactly maxAttempts tries', async () => {
      const mark = h.emu.controls.requests().length;
      h.emu.controls.failNext({ method: 'GET', path: /\/retry$/, status: 503, times: 4 });
      await assert.rejects(b.stat('/retry'), (e: unknown) => isStorageError(e, 'UNAVAILABLE'));
      const calls = requestsSince(h.emu, mark).filter((r) => isJfs(r) && r.path.endsWith('/retry'));
      assert.deepEqual(calls.map((r) => r.status), [503, 503, 503, 503]);
    });

    it('500, 502, 504 and 509 are retried for idempotent calls', async () => {
      for (const status of [500, 502, 504, 509]) {
        const mark = h.emu.controls.requests().length;
        h.emu.controls.failNext({ method: 'GET', path: /\/retry$/, status, times: 1 });
        await b.stat('/retry');
        const calls = requestsSince(h.emu, mark).filter((r) => isJfs(r) && r.path.endsWith('/retry'));
        assert.deepEqual(calls.map((r) => r.status), [status, 200]);
      }
    });

    it('a server that does not answer times out, is retried within the bound, then UNAVAILABLE', async () => {
      const impatient = track(await emulatorBackend(h.emu, { timeoutMs: 200, retry: { ...FAST_RETRY, maxAttempts: 2 } }));
      await impatient.mkdir('/silent');
      const mark = h.emu.controls.requests().length;
      h.emu.controls.delay({ path: /\/silent$/, ms: 1500 });
      await assert.rejects(impatient.stat('/silent'), (e: unknown) => isStorageError(e, 'UNAVAILABLE'));
      const calls = requestsSince(h.emu, mark).filter((r) => isJfs(r) && r.path.endsWith('/silent'));
      assert.equal(calls.length, 2);
    });

    it('regression: one 502 on allocate failed the upload — allocate is repeated (a second allocation is harmless)', async () => {
      const mark = h.emu.controls.requests().length;
      h.emu.controls.failNext({ method: 'POST', path: /\/files\/v1\/allocate$/, status: 502, times: 1 });
      await b.upload('/retry/alloc.bin', bufferBody('x'));
      assert.deepEqual(requestsSince(h.emu, mark).filter(isAllocate).map((r) => r.status), [502, 200]);
    });

    it('a 500 on a file move is repeated only once the source shows the move did not happen', async () => {
      await b.upload('/retry/mv.txt', bufferBody('m'));
      const mark = h.emu.controls.requests().length;
      h.emu.controls.failNext({ method: 'POST', path: /\/retry\/mv\.txt$/, status: 500, times: 1 });
      await b.move('/retry/mv.txt', '/retry/mv2.txt', 'file');
      const log = requestsSince(h.emu, mark);
      const moves = log.filter((r) => r.method === 'POST' && r.path.endsWith('/retry/mv.txt'));
      assert.deepEqual(moves.map((r) => r.status), [500, 200]);
      const looked = log.findIndex((r) => r.method === 'GET' && r.path.endsWith('/retry/mv.txt'));
      assert.ok(looked > log.indexOf(moves[0]!) && looked < log.indexOf(moves[1]!), 'the source was looked at between the two');
      await b.move('/retry/mv2.txt', '/retry/mv.txt', 'file');
    });

    it('a 429 on a file move is repeated (the server declined to act)', async () => {
      const mark = h.emu.controls.requests().length;
      h.emu.controls.failNext({ method: 'POST', path: /\/retry\/mv\.txt$/, status: 429, times: 1 });
      await b.move('/retry/mv.txt', '/retry/mv3.txt', 'file');
      const moves = requestsSince(h.emu, mark).filter((r) => r.method === 'POST' && r.path.endsWith('/retry/mv.txt'));
      assert.deepEqual(moves.map((r) => r.status), [429, 200]);
    });
  });

  describe('uploads', () => {
    let b: JottacloudBackend;
    before(async () => {
      b = track(await emulatorBackend(h.emu));
    });

    it('an upload cut after N bytes resumes from resume_pos: MD5 matches, no byte is sent twice', async () => {
      const size = 1_000_000;
      const cut = 300_000;
      const data = pattern(size, 42);
      const body = bufferBody(data);
      const mark = h.emu.controls.requests().length;
      h.emu.controls.cutUploadAfter(cut);
      const entry = await b.upload('/resume/cut.bin', body);
      assert.equal(entry.md5, md5Hex(data));
      assert.equal((await b.stat('/resume/cut.bin')).md5, md5Hex(data));
      assert.deepEqual(await collect(await b.read('/resume/cut.bin')), data);
      const log = requestsSince(h.emu, mark);
      const uploads = log.filter(isUpload);
      assert.equal(uploads.length, 2, 'one cut upload and one resumed upload');
      assert.equal(uploads.reduce((sum, r) => sum + r.requestBytes, 0), size, 'the server received each byte once');
      assert.equal(log.filter(isAllocate).length, 2, 'the resume re-allocates to learn resume_pos');
      assert.equal(body.opens[0], 0);
      assert.equal(body.opens[1], uploads[0]!.requestBytes, 'the body was reopened exactly at resume_pos');
    });

    it('an upload beyond the capacity is QUOTA_EXCEEDED; usage reports the capacity as total', async () => {
      const small = await startTestEmulator({ capacity: 10_000 });
      try {
        const q = await emulatorBackend(small.emu);
        await q.upload('/fits.bin', bufferBody(pattern(4_000, 1)));
        await assert.rejects(q.upload('/too-big.bin', bufferBody(pattern(20_000, 2))), (e: unknown) => isStorageError(e, 'QUOTA_EXCEEDED'));
        const usage = await q.usage();
        assert.equal(usage.total, 10_000);
        assert.ok(usage.used >= 4_000 && usage.used <= 10_000, String(usage.used));
        await q.close();
      } finally {
        await small.close();
      }
    });

    it('a dedup allocate (COMPLETED) sends zero body bytes', async () => {
      const data = pattern(200_000, 99);
      await b.upload('/dedup/original.bin', bufferBody(data));
      const again = bufferBody(data);
      const mark = h.emu.controls.requests().length;
      const entry = await b.upload('/dedup/copy.bin', again);
      assert.equal(entry.md5, md5Hex(data));
      const log = requestsSince(h.emu, mark);
      assert.equal(log.filter(isAllocate).length, 1);
      assert.deepEqual(log.filter(isUpload), [], 'no byte upload request at all');
      assert.equal(log.reduce((sum, r) => sum + (isAllocate(r) ? 0 : r.requestBytes), 0), 0);
      assert.deepEqual(again.opens, [], 'the body was never even opened');
      assert.deepEqual(await collect(await b.read('/dedup/copy.bin')), data);
    });
  });
});
