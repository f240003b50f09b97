/**
 * Coherence with other writers: two bridges on one account, each with its own (memory) store, so
 * bridge B plays "another client" (the Jottacloud apps, rclone) that bridge A's listing cache
 * knows nothing about. A has a warm cache of the folder (a long listing TTL keeps it warm for the
 * whole spec); every GET through A must still give exactly what the service holds now, or 404:
 * never the old length (a longer new file cut short, a shorter one hanging), never a stale ETag.
 *
 * Each request runs under a client timeout, so a hang fails the spec instead of stalling it.
 */
import assert from 'node:assert/strict';
import type { RunningApp } from '../../lib/app.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { AUTH, startBridges, type Bridges } from '../ops/two-bridges-support.js';

const CLIENT_TIMEOUT_MS = 10_000;

interface Answer {
  status: number;
  body: Buffer;
  headers: Headers;
}

/** One request, body read whole, under the client timeout (a hang rejects). */
async function request(app: RunningApp, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const signal = AbortSignal.timeout(CLIENT_TIMEOUT_MS);
  const res = await fetch(new URL(path.replace(/^\//, ''), app.url), { method, headers: { Authorization: AUTH, ...headers }, body, signal });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

async function put(app: RunningApp, path: string, content: string): Promise<void> {
  const res = await request(app, 'PUT', path, {}, content);
  assert.ok(res.status === 201 || res.status === 204, `PUT ${path}: ${res.status}`);
}

/** A GET through A that must give exactly `content`, with a Content-Length to match. */
async function expectContent(app: RunningApp, path: string, content: string): Promise<string> {
  const res = await request(app, 'GET', path);
  assert.equal(res.status, 200, `GET ${path}`);
  assert.equal(res.body.toString('utf8'), content);
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(content)));
  const etag = res.headers.get('etag');
  assert.ok(etag, 'a file has an ETag');
  return etag;
}

describe('e2e: another client writes to the account (two bridges, separate caches)', function () {
  this.timeout(60_000);
  let emulator: Emulator;
  let bridges: Bridges;
  let a: RunningApp;
  let b: RunningApp;

  before(async () => {
    emulator = await startEmulator({});
    // Separate memory stores and a listing TTL far beyond the spec: A learns of B's changes only
    // by asking the service.
    bridges = await startBridges(emulator, 'memory', { cache: { listingTtl: '1h' } });
    a = bridges.a;
    b = bridges.b;
    assert.equal((await request(a, 'MKCOL', '/shared')).status, 201);
  });
  after(async () => {
    await bridges?.close();
    await emulator?.close();
  });

  /** A lists the folder, so its cache holds the listing every later lookup could take. */
  async function warm(): Promise<void> {
    assert.equal((await request(a, 'PROPFIND', '/shared', { Depth: '1' })).status, 207);
  }

  it('regression: a longer overwrite elsewhere arrived truncated to the cached length', async () => {
    await put(a, '/shared/grow.txt', 'short');
    await warm();
    const before = await expectContent(a, '/shared/grow.txt', 'short');
    await put(b, '/shared/grow.txt', 'a much longer content than before');
    const after = await expectContent(a, '/shared/grow.txt', 'a much longer content than before');
    assert.notEqual(after, before, 'the ETag changes with the content');
  });

  it('regression: a shorter overwrite elsewhere hung the GET (the old, larger Content-Length)', async () => {
    await put(a, '/shared/shrink.txt', 'a rather long first version of the file');
    await warm();
    await expectContent(a, '/shared/shrink.txt', 'a rather long first version of the file');
    await put(b, '/shared/shrink.txt', 'tiny');
    await expectContent(a, '/shared/shrink.txt', 'tiny');
    const head = await request(a, 'HEAD', '/shared/shrink.txt');
    assert.equal(head.headers.get('content-length'), '4', 'HEAD tells the current size too');
  });

  it('a range of an overwritten file is cut from the new content', async () => {
    await put(a, '/shared/range.txt', '0123456789');
    await warm();
    await put(b, '/shared/range.txt', 'abcdefghijklmnopqrstuvwxyz');
    const res = await request(a, 'GET', '/shared/range.txt', { Range: 'bytes=20-' });
    assert.equal(res.status, 206);
    assert.equal(res.body.toString(), 'uvwxyz');
    assert.equal(res.headers.get('content-range'), 'bytes 20-25/26');
  });

  it('If-Match with the old ETag gives 412 on GET, PUT, DELETE and MOVE once another client overwrote the file', async () => {
    await put(a, '/shared/guarded.txt', 'version one');
    await warm();
    const old = await expectContent(a, '/shared/guarded.txt', 'version one');
    await put(b, '/shared/guarded.txt', 'version two, written elsewhere');
    assert.equal((await request(a, 'GET', '/shared/guarded.txt', { 'If-Match': old })).status, 412);
    assert.equal((await request(a, 'PUT', '/shared/guarded.txt', { 'If-Match': old }, 'lost update')).status, 412);
    assert.equal((await request(a, 'DELETE', '/shared/guarded.txt', { 'If-Match': old })).status, 412);
    const destination = new URL('shared/moved.txt', a.url).href;
    assert.equal((await request(a, 'MOVE', '/shared/guarded.txt', { 'If-Match': old, Destination: destination })).status, 412);
    // Nothing of the above changed the file; the current ETag still matches.
    const current = await expectContent(a, '/shared/guarded.txt', 'version two, written elsewhere');
    assert.equal((await request(a, 'GET', '/shared/guarded.txt', { 'If-Match': current })).status, 200);
    // If-None-Match with the old ETag is no longer a match: the new content, not 304.
    const fresh = await request(a, 'GET', '/shared/guarded.txt', { 'If-None-Match': old });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.toString(), 'version two, written elsewhere');
    assert.equal((await request(a, 'GET', '/shared/guarded.txt', { 'If-None-Match': current })).status, 304);
  });

  it('regression: a file created elsewhere gave 404 until the listing expired', async () => {
    await warm();
    await put(b, '/shared/created-elsewhere.txt', 'hello from B');
    await expectContent(a, '/shared/created-elsewhere.txt', 'hello from B');
    // A PROPFIND of the file itself finds it too (the listing is a hint, not the truth).
    assert.equal((await request(a, 'PROPFIND', '/shared/created-elsewhere.txt', { Depth: '0' })).status, 207);
  });

  it('a folder created elsewhere is found below a cached listing', async () => {
    await warm();
    assert.equal((await request(b, 'MKCOL', '/shared/sub-b')).status, 201);
    await put(b, '/shared/sub-b/inner.txt', 'inner');
    await expectContent(a, '/shared/sub-b/inner.txt', 'inner');
  });

  it('a file deleted elsewhere gives 404, and the bridge does not keep showing its old bytes', async () => {
    await put(a, '/shared/doomed.txt', 'soon gone');
    await warm();
    await expectContent(a, '/shared/doomed.txt', 'soon gone');
    assert.equal((await request(b, 'DELETE', '/shared/doomed.txt')).status, 204);
    assert.equal((await request(a, 'GET', '/shared/doomed.txt')).status, 404);
    assert.equal((await request(a, 'HEAD', '/shared/doomed.txt')).status, 404);
  });

  it('a file deleted and created again elsewhere serves the new bytes', async () => {
    await put(a, '/shared/phoenix.txt', 'first life');
    await warm();
    assert.equal((await request(b, 'DELETE', '/shared/phoenix.txt')).status, 204);
    await put(b, '/shared/phoenix.txt', 'second life, longer than the first');
    await expectContent(a, '/shared/phoenix.txt', 'second life, longer than the first');
  });
});
