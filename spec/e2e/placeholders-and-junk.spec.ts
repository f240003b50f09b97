/**
 * Placeholders (an empty PUT or a LOCK on a new name waits locally for content, so Jottacloud
 * never gets an empty revision followed by the real one) and local-only junk files (never
 * uploaded, still listed and readable), checked against the emulator's request log and JFS view.
 */
import assert from 'node:assert/strict';
import type { FileStat } from 'webdav';
import { startStack, type Stack } from '../support/stack.js';
import { client, dav, decodedPaths, isAllocate, isUploadBytes, logLength, logSince, RemoteView } from './helpers.js';

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const LOCK_BODY = '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>e2e</D:owner></D:lockinfo>';

describe('e2e: placeholders', function () {
  this.timeout(30_000);

  describe('while content is still to come (long grace)', () => {
    let stack: Stack;
    let remote: RemoteView;
    before(async () => {
      stack = await startStack({ config: { placeholders: { grace: '1h' } } });
      remote = await RemoteView.open(stack);
      assert.equal((await dav(stack, 'MKCOL', '/ph')).status, 201);
    });
    after(async () => stack?.close());

    it('an empty PUT makes a placeholder: listed and readable, nothing sent until content; then exactly one revision', async () => {
      const since = logLength(stack);
      assert.equal((await dav(stack, 'PUT', '/ph/new.txt', { body: '' })).status, 201);
      const listing = (await client(stack).getDirectoryContents('/ph')) as FileStat[];
      assert.deepEqual(listing.map((e) => [e.basename, e.size]), [['new.txt', 0]]);
      const empty = await dav(stack, 'GET', '/ph/new.txt');
      assert.equal(empty.status, 200);
      assert.equal(await empty.text(), '');
      assert.deepEqual(logSince(stack, since).filter(isAllocate), []);
      assert.ok(!(await remote.live('/ph')).includes('new.txt'));

      const filled = await dav(stack, 'PUT', '/ph/new.txt', { body: 'the content' });
      assert.ok(filled.status === 201 || filled.status === 204, `status ${filled.status}`);
      const log = logSince(stack, since);
      assert.equal(log.filter(isAllocate).length, 1);
      assert.equal(log.filter(isUploadBytes).length, 1);
      const stored = await remote.file('/ph/new.txt');
      assert.equal(stored.revisions, 1);
      assert.equal(stored.size, 'the content'.length);
      assert.equal(await (await dav(stack, 'GET', '/ph/new.txt')).text(), 'the content');
    });

    it('a LOCK on a new name makes a placeholder; the locked PUT then stores exactly one revision', async () => {
      const since = logLength(stack);
      const lock = await dav(stack, 'LOCK', '/ph/locked.docx', { headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600' }, body: LOCK_BODY });
      assert.equal(lock.status, 201);
      const token = lock.headers.get('lock-token');
      assert.ok(token, 'Lock-Token header');
      await lock.body?.cancel();
      const listing = (await client(stack).getDirectoryContents('/ph')) as FileStat[];
      assert.ok(listing.some((e) => e.basename === 'locked.docx' && e.size === 0), JSON.stringify(listing));
      assert.deepEqual(logSince(stack, since).filter(isAllocate), []);
      assert.ok(!(await remote.live('/ph')).includes('locked.docx'));

      const put = await dav(stack, 'PUT', '/ph/locked.docx', { headers: { If: `(${token})` }, body: 'saved by Word' });
      assert.ok(put.status === 201 || put.status === 204, `status ${put.status}`);
      assert.equal((await dav(stack, 'UNLOCK', '/ph/locked.docx', { headers: { 'Lock-Token': token } })).status, 204);
      const stored = await remote.file('/ph/locked.docx');
      assert.equal(stored.revisions, 1);
      assert.equal(stored.size, 'saved by Word'.length);
    });

    it('on app.close() a still-empty placeholder becomes a real empty file', async () => {
      assert.equal((await dav(stack, 'PUT', '/ph/left-empty.txt', { body: '' })).status, 201);
      assert.ok(!(await remote.live('/ph')).includes('left-empty.txt'));
      await stack.app.close();
      const stored = await remote.file('/ph/left-empty.txt');
      assert.equal(stored.status, 200);
      assert.equal(stored.size, 0);
      assert.equal(stored.revisions, 1);
    });
  });

  describe('after the grace period', () => {
    let stack: Stack;
    let remote: RemoteView;
    before(async () => {
      stack = await startStack({ config: { placeholders: { grace: '300ms' } } });
      remote = await RemoteView.open(stack);
    });
    after(async () => stack?.close());

    it('a still-empty placeholder becomes a real empty file on the emulator, once', async () => {
      const since = logLength(stack);
      assert.equal((await dav(stack, 'PUT', '/graced.txt', { body: '' })).status, 201);
      await waitFor('the placeholder to be materialised', async () => (await remote.live('/')).includes('graced.txt'));
      const stored = await remote.file('/graced.txt');
      assert.equal(stored.size, 0);
      assert.equal(stored.revisions, 1);
      assert.equal(logSince(stack, since).filter(isAllocate).length, 1);
      const get = await dav(stack, 'GET', '/graced.txt');
      assert.equal(get.status, 200);
      assert.equal(await get.text(), '');
      // And content written later is a second, ordinary revision.
      assert.equal((await dav(stack, 'PUT', '/graced.txt', { body: 'later' })).status, 204);
      assert.equal((await remote.file('/graced.txt')).size, 'later'.length);
    });
  });
});

describe('e2e: local-only junk files', function () {
  this.timeout(30_000);
  const JUNK = ['._x', '.DS_Store', 'Thumbs.db', '~$doc.docx', 'desktop.ini', '.~lock.report.odt#'];

  describe('with the default patterns', () => {
    let stack: Stack;
    let remote: RemoteView;
    before(async () => {
      stack = await startStack();
      remote = await RemoteView.open(stack);
      assert.equal((await dav(stack, 'MKCOL', '/junk')).status, 201);
      assert.equal((await dav(stack, 'PUT', '/junk/real.txt', { body: 'real' })).status, 201);
    });
    after(async () => stack?.close());

    it('never reach the emulator, yet are listed and readable through the bridge', async () => {
      const since = logLength(stack);
      for (const name of JUNK) assert.equal((await dav(stack, 'PUT', `/junk/${name}`, { body: `junk ${name}` })).status, 201, name);
      const log = logSince(stack, since);
      assert.deepEqual(log.filter(isAllocate), []);
      assert.deepEqual(log.filter(isUploadBytes), []);
      const paths = decodedPaths(log);
      for (const name of JUNK) assert.ok(!paths.some((p) => p.includes(name)), `${name} in ${JSON.stringify(paths)}`);
      assert.deepEqual(await remote.live('/junk'), ['real.txt']);
      const listing = ((await client(stack).getDirectoryContents('/junk')) as FileStat[]).map((e) => e.basename).sort();
      assert.deepEqual(listing, [...JUNK, 'real.txt'].sort());
      for (const name of JUNK) {
        const get = await dav(stack, 'GET', `/junk/${name}`);
        assert.equal(get.status, 200, name);
        assert.equal(await get.text(), `junk ${name}`);
      }
      // And a delete of a junk file stays local too.
      const before = logLength(stack);
      assert.equal((await dav(stack, 'DELETE', '/junk/.DS_Store')).status, 204);
      assert.equal((await dav(stack, 'GET', '/junk/.DS_Store')).status, 404);
      assert.ok(!decodedPaths(logSince(stack, before)).some((p) => p.includes('.DS_Store')));
    });
  });

  describe('with localOnly disabled', () => {
    let stack: Stack;
    let remote: RemoteView;
    before(async () => {
      stack = await startStack({ config: { localOnly: { enabled: false } } });
      remote = await RemoteView.open(stack);
    });
    after(async () => stack?.close());

    it('uploads them like any other file', async () => {
      const since = logLength(stack);
      for (const name of ['._x', '.DS_Store', 'Thumbs.db', '~$doc.docx']) assert.equal((await dav(stack, 'PUT', `/${name}`, { body: `junk ${name}` })).status, 201, name);
      assert.equal(logSince(stack, since).filter(isAllocate).length, 4);
      // `~$doc.docx` has no reserved character: it is stored as is.
      assert.deepEqual(await remote.live('/'), ['.DS_Store', '._x', 'Thumbs.db', '~$doc.docx']);
    });
  });
});
