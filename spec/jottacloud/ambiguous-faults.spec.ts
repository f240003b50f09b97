/**
 * Failures the service leaves ambiguous or half-done, injected by the emulator: an error answered
 * after the work was done, a connection dropped before or after the request was handled, and one
 * dropped halfway through an answer's body. The client settles each without a second effect and
 * without the caller noticing; asserted on results and on the emulator's request log.
 */
import assert from 'node:assert/strict';
import { isStorageError } from '../../lib/storage/errors.js';
import { emulatorBackendForSuite, requestsSince } from '../support/emulator.js';
import { bufferBody, collect, pattern } from './support.js';

describe('jottacloud: ambiguous and half-done failures', function () {
  this.timeout(60_000);
  const suite = emulatorBackendForSuite();
  afterEach(() => suite.emu.controls.reset());

  const posts = (mark: number, suffix: string) => requestsSince(suite.emu, mark).filter((r) => r.method === 'POST' && r.path.endsWith(suffix));

  it('a move answered 500 after it happened is settled by looking, never sent again', async () => {
    await suite.backend.upload('/amb/done.txt', bufferBody('moved once'));
    const mark = suite.emu.controls.requests().length;
    suite.emu.controls.failNext({ method: 'POST', path: /\/amb\/done\.txt$/, status: 500, times: 1, afterEffect: true });
    await suite.backend.move('/amb/done.txt', '/amb/done-2.txt', 'file');
    assert.equal(posts(mark, '/amb/done.txt').length, 1, 'one move request');
    assert.equal((await collect(await suite.backend.read('/amb/done-2.txt'))).toString(), 'moved once');
    await assert.rejects(suite.backend.stat('/amb/done.txt'), (e: unknown) => isStorageError(e, 'NOT_FOUND'));
  });

  it('a folder move whose answer is lost (connection dropped after the work) is settled by looking', async () => {
    await suite.backend.upload('/amb/dir/inner.txt', bufferBody('inner'));
    const mark = suite.emu.controls.requests().length;
    suite.emu.controls.dropNext({ method: 'POST', path: /\/amb\/dir\/$/, times: 1, at: 'after' });
    await suite.backend.move('/amb/dir', '/amb/dir-2', 'folder');
    assert.equal(posts(mark, '/amb/dir/').length, 1);
    assert.equal((await collect(await suite.backend.read('/amb/dir-2/inner.txt'))).toString(), 'inner');
  });

  it('a move whose connection dropped before it was handled is sent again', async () => {
    await suite.backend.upload('/amb/early.txt', bufferBody('early'));
    suite.emu.controls.dropNext({ method: 'POST', path: /\/amb\/early\.txt$/, times: 1, at: 'before' });
    await suite.backend.move('/amb/early.txt', '/amb/early-2.txt', 'file');
    assert.equal((await collect(await suite.backend.read('/amb/early-2.txt'))).toString(), 'early');
  });

  it('a permanent delete whose answer was lost does not fail on the 404 of its repeat', async () => {
    await suite.backend.upload('/amb/rm.txt', bufferBody('bye'));
    suite.emu.controls.failNext({ method: 'POST', path: /\/amb\/rm\.txt$/, status: 502, times: 1, afterEffect: true });
    await suite.backend.remove('/amb/rm.txt', 'file', { hard: true });
    await assert.rejects(suite.backend.stat('/amb/rm.txt'), (e: unknown) => isStorageError(e, 'NOT_FOUND'));
  });

  it('an upload whose answer was lost completes without sending the bytes again', async () => {
    const body = pattern(64 * 1024, 7);
    const mark = suite.emu.controls.requests().length;
    suite.emu.controls.dropNext({ method: 'POST', path: /\/files\/v1\/upload\//, times: 1, at: 'after' });
    await suite.backend.upload('/amb/up.bin', bufferBody(body));
    const uploads = requestsSince(suite.emu, mark).filter((r) => r.path.includes('/files/v1/upload/'));
    assert.equal(uploads.length, 1, 'the second allocation answered COMPLETED');
    assert.ok((await collect(await suite.backend.read('/amb/up.bin'))).equals(body));
  });

  it('a listing whose body was cut halfway is read again', async () => {
    await suite.backend.upload('/amb/list/a.txt', bufferBody('a'));
    await suite.backend.upload('/amb/list/b.txt', bufferBody('b'));
    suite.emu.controls.dropNext({ method: 'GET', path: /\/amb\/list$/, times: 1, at: 'mid-body' });
    assert.deepEqual((await suite.backend.list('/amb/list')).map((e) => e.name).sort(), ['a.txt', 'b.txt']);
  });

  it('a download cut mid-body resumes from the byte reached (a Range request), and the reader gets every byte once', async () => {
    const body = pattern(300 * 1024, 3);
    await suite.backend.upload('/amb/big.bin', bufferBody(body));
    const mark = suite.emu.controls.requests().length;
    suite.emu.controls.dropNext({ method: 'GET', path: /\/amb\/big\.bin\?mode=bin$/, times: 2, at: 'mid-body' });
    const got = await collect(await suite.backend.read('/amb/big.bin'));
    assert.ok(got.equals(body), `got ${got.length} bytes of ${body.length}`);
    const downloads = requestsSince(suite.emu, mark).filter((r) => r.query.includes('mode=bin'));
    assert.equal(downloads.length, 3, 'the first try and two resumes');
  });

  it('a ranged download cut mid-body resumes inside its range', async () => {
    const body = pattern(200 * 1024, 5);
    await suite.backend.upload('/amb/ranged.bin', bufferBody(body));
    suite.emu.controls.dropNext({ method: 'GET', path: /\/amb\/ranged\.bin\?mode=bin$/, times: 1, at: 'mid-body' });
    const got = await collect(await suite.backend.read('/amb/ranged.bin', { start: 1000, end: 150_000 }));
    assert.ok(got.equals(body.subarray(1000, 150_001)));
  });

  it('a download is not resumed onto another revision: the reader gets an error, never spliced bytes', async () => {
    const first = pattern(200 * 1024, 8);
    await suite.backend.upload('/amb/swap.bin', bufferBody(first));
    // The reader began on a revision the service no longer holds (same size, other MD5: another
    // client replaced it); the cut mid-body must not be resumed onto the current one.
    suite.emu.controls.dropNext({ method: 'GET', path: /\/amb\/swap\.bin\?mode=bin$/, times: 1, at: 'mid-body' });
    const stale = await suite.backend.read('/amb/swap.bin', undefined, undefined, { expect: { size: first.length, md5: 'f'.repeat(32) } });
    await assert.rejects(collect(stale), (e: unknown) => isStorageError(e, 'CHANGED'));
  });

  it('a download of another size than the stat said is CHANGED before any byte is read', async () => {
    await suite.backend.upload('/amb/size.txt', bufferBody('four'));
    await assert.rejects(suite.backend.read('/amb/size.txt', undefined, undefined, { expect: { size: 10, md5: 'f'.repeat(32) } }), (e: unknown) => isStorageError(e, 'CHANGED'));
  });
});
