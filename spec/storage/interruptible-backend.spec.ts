/**
 * InterruptibleBackend (lib/storage/interruptible-backend.ts): listTree is offered exactly
 * when the wrapped backend offers it, and interrupt() cuts an upload in flight with the typed
 * AbortedError while the service keeps the previous revision.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UploadBody } from '../../lib/storage/backend.js';
import { AbortedError, isStorageError } from '../../lib/storage/errors.js';
import { InterruptibleBackend } from '../../lib/storage/interruptible-backend.js';
import { emulatorBackendForSuite } from '../support/emulator.js';
import { bufferBody, md5Hex } from '../jottacloud/support.js';
import { MemoryBackend } from '../support/memory-backend.js';

/** A body that sends its first 64 KiB and then stalls until it is destroyed. */
function stallingBody(size: number): UploadBody & { opened: () => boolean } {
  const content = Buffer.alloc(size, 3);
  let opened = false;
  return {
    size,
    md5: md5Hex(content),
    opened: () => opened,
    open(offset: number) {
      opened = true;
      const stream = new Readable({ read() {} });
      stream.push(content.subarray(offset, offset + 64 * 1024));
      return stream;
    },
  };
}

describe('InterruptibleBackend over the Jottacloud backend and the emulator', function () {
  this.timeout(30_000);
  const suite = emulatorBackendForSuite();

  it('offers listTree exactly when the wrapped backend does, and answers what it answers', async () => {
    await suite.backend.upload('/tree/a/f.txt', bufferBody('in a subfolder'));
    const wrapped = new InterruptibleBackend(suite.backend);
    assert.ok(wrapped.listTree, 'listTree is not offered');
    const tree = await wrapped.listTree('/tree', { maxEntries: 100 });
    assert.deepEqual(tree, await suite.backend.listTree('/tree', { maxEntries: 100 }));
    assert.deepEqual(tree?.get('/tree/a')?.map((e) => e.name), ['f.txt']);
    assert.equal(new InterruptibleBackend(new MemoryBackend()).listTree, undefined);
  });

  it('cuts an upload in flight with AbortedError (code ABORTED); the previous revision stays, and later uploads run', async () => {
    const aborted: Array<{ path: string; error: AbortedError }> = [];
    const backend = new InterruptibleBackend(suite.backend, (path, error) => aborted.push({ path, error }));
    const previous = await backend.upload('/cut.bin', bufferBody('the previous revision'));
    const body = stallingBody(1024 * 1024);
    const upload = backend.upload('/cut.bin', body).then(
      () => assert.fail('the cut upload resolved'),
      (error: unknown) => error,
    );
    while (!body.opened()) await sleep(10);

    assert.equal(backend.interrupt('the test shuts down'), 1);
    const error = await upload;

    assert.ok(error instanceof AbortedError, `not an AbortedError: ${String(error)}`);
    assert.ok(isStorageError(error, 'ABORTED'));
    assert.match(error.message, /the test shuts down: the upload of \/cut\.bin was cut off/);
    assert.deepEqual(aborted, [{ path: '/cut.bin', error }]);
    const after = await suite.backend.stat('/cut.bin');
    assert.equal(after.md5, previous.md5);
    assert.equal(after.size, previous.size);

    // Nothing is in flight any more, and an upload started after the cut is not affected.
    assert.equal(backend.interrupt('again'), 0);
    const later = await backend.upload('/cut.bin', bufferBody('a later revision'));
    assert.equal(later.md5, md5Hex('a later revision'));
    assert.equal(aborted.length, 1);
  });
});
