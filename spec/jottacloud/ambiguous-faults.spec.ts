/**
 * Failures the service leaves ambiguous or half-done, injected by the emulator: an error answered
 * after the work was done, a connection dropped before or after the request was handled, and one
 * dropped halfway through an answer's body. The client settles each without a second effect and
 * without the caller noticing; asserted on results and on the emulator's request log.
 */
import assert from 'node:assert/strict';
import type { JottacloudBackend } from '../../lib/jottacloud/backend.js';
import { isStorageError } from '../../lib/storage/errors.js';
import { emulatorBackend, requestsSince, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { bufferBody, collect, pattern } from './support.js';

describe('jottacloud: ambiguous and half-done failures', function () {
  this.timeout(60_000);
  let h: TestEmulator;
  let b: JottacloudBackend;

  before(async () => {
    h = await startTestEmulator();
    b = await emulatorBackend(h.emu);
  });
  after(async () => {
    await b?.close();
    await h?.close();
  });
  afterEach(() => h.emu.controls.reset());

  const posts = (mark: number, suffix: string) => requestsSince(h.emu, mark).filter((r) => r.method === 'POST' && r.path.endsWith(suffix));

  it('a move answered 500 after it happened is settled by looking, never sent again', async () => {
    await b.upload('/amb/done.txt', bufferBody('moved once'));
    const mark = h.emu.controls.requests().length;
    h.emu.controls.failNext({ method: 'POST', path: /\/amb\/done\.txt$/, status: 500, times: 1, afterEffect: true });
    await b.move('/amb/done.txt', '/amb/done-2.txt', 'file');
    assert.equal(posts(mark, '/amb/done.txt').length, 1, 'one move request');
    assert.equal((await collect(await b.read('/amb/done-2.txt'))).toString(), 'moved once');
    await assert.rejects(b.stat('/amb/done.txt'), (e: unknown) => isStorageError(e, 'NOT_FOUND'));
  });

  it('a folder move whose answer is lost (connection dropped after the work) is settled by looking', async () => {
    await b.upload('/amb/dir/inner.txt', bufferBody('inner'));
    const mark = h.emu.controls.requests().length;
    h.emu.controls.dropNext({ method: 'POST', path: /\/amb\/dir\/$/, times: 1, at: 'after' });
    await b.move('/amb/dir', '/amb/dir-2', 'folder');
    assert.equal(posts(mark, '/amb/dir/').length, 1);
    assert.equal((await collect(await b.read('/amb/dir-2/inner.txt'))).toString(), 'inner');
  });

  it('a move whose connection dropped before it was handled is sent again', async () => {
    await b.upload('/amb/early.txt', bufferBody('early'));
    h.emu.controls.dropNext({ method: 'POST', path: /\/amb\/early\.txt$/, times: 1, at: 'before' });
    await b.move('/amb/early.txt', '/amb/early-2.txt', 'file');
    assert.equal((await collect(await b.read('/amb/early-2.txt'))).toString(), 'early');
  });

  it('a permanent delete whose answer was lost does not fail on the 404 of its repeat', async () => {
    await b.upload('/amb/rm.txt', bufferBody('bye'));
    h.emu.controls.failNext({ method: 'POST', path: /\/amb\/rm\.txt$/, status: 502, times: 1, afterEffect: true });
    await b.remove('/amb/rm.txt', 'file', { hard: true });
    await assert.rejects(b.stat('/amb/rm.txt'), (e: unknown) => isStorageError(e, 'NOT_FOUND'));
  });

  it('an upload whose answer was lost completes without sending the bytes again', async () => {
    const body = pattern(64 * 1024, 7);
    const mark = h.emu.controls.requests().length;
    h.emu.controls.dropNext({ method: 'POST', path: /\/files\/v1\/upload\//, times: 1, at: 'after' });
    await b.upload('/amb/up.bin', bufferBody(body));
    const uploads = requestsSince(h.emu, mark).filter((r) => r.path.includes('/files/v1/upload/'));
    assert.equal(uploads.length, 1, 'the second allocation answered COMPLETED');
    assert.ok((await collect(await b.read('/amb/up.bin'))).equals(body));
  });

  it('a listing whose body was cut halfway is read again', async () => {
    await b.upload('/amb/list/a.txt', bufferBody('a'));
    await b.upload('/amb/list/b.txt', bufferBody('b'));
    h.emu.controls.dropNext({ method: 'GET', path: /\/amb\/list$/, times: 1, at: 'mid-body' });
    assert.deepEqual((await b.list('/amb/list')).map((e) => e.name).sort(), ['a.txt', 'b.txt']);
  });

  it('a download cut mid-body resumes from the byte reached (a Range request), and the reader gets every byte once', async () => {
    const body = pattern(300 * 1024, 3);
    await b.upload('/amb/big.bin', bufferBody(body));
    const mark = h.emu.controls.requests().length;
    h.emu.controls.dropNext({ method: 'GET', path: /\/amb\/big\.bin\?mode=bin$/, times: 2, at: 'mid-body' });
    const got = await collect(await b.read('/amb/big.bin'));
    assert.ok(got.equals(body), `got ${got.length} bytes of ${body.length}`);
    const downloads = requestsSince(h.emu, mark).filter((r) => r.query.includes('mode=bin'));
    assert.equal(downloads.length, 3, 'the first try and two resumes');
  });

  it('a ranged download cut mid-body resumes inside its range', async () => {
    const body = pattern(200 * 1024, 5);
    await b.upload('/amb/ranged.bin', bufferBody(body));
    h.emu.controls.dropNext({ method: 'GET', path: /\/amb\/ranged\.bin\?mode=bin$/, times: 1, at: 'mid-body' });
    const got = await collect(await b.read('/amb/ranged.bin', { start: 1000, end: 150_000 }));
    assert.ok(got.equals(body.subarray(1000, 150_001)));
  });

  it('a download is not resumed onto another revision: the reader gets an error, never spliced bytes', async () => {
    const first = pattern(200 * 1024, 8);
    await b.upload('/amb/swap.bin', bufferBody(first));
    // The reader began on a revision the service no longer holds (same size, other MD5: another
    // client replaced it); the cut mid-body must not be resumed onto the current one.
    h.emu.controls.dropNext({ method: 'GET', path: /\/amb\/swap\.bin\?mode=bin$/, times: 1, at: 'mid-body' });
    const stale = await b.read('/amb/swap.bin', undefined, undefined, { expect: { size: first.length, md5: 'f'.repeat(32) } });
    await assert.rejects(collect(stale), (e: unknown) => isStorageError(e, 'CHANGED'));
  });

  it('a download of another size than the stat said is CHANGED before any byte is read', async () => {
    await b.upload('/amb/size.txt', bufferBody('four'));
    await assert.rejects(b.read('/amb/size.txt', undefined, undefined, { expect: { size: 10, md5: 'f'.repeat(32) } }), (e: unknown) => isStorageError(e, 'CHANGED'));
  });
});
