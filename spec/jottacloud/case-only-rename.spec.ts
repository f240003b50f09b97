/**
 * The Jottacloud backend owns case-only renames (StorageBackend.move): the case-insensitive
 * service sees `a.txt` and `A.txt` as one name, so the backend goes through a temporary name, and
 * when the second step fails it moves the item back, leaving no temporary name behind.
 */
import assert from 'node:assert/strict';
import { isStorageError } from '../../lib/storage/errors.js';
import { emulatorBackendForSuite, requestsSince } from '../support/emulator.js';
import { bufferBody } from './support.js';

describe('jottacloud: a case-only rename through a temporary name', function () {
  this.timeout(30_000);
  const suite = emulatorBackendForSuite();

  it('renames a file in two moves, the first to a temporary name', async () => {
    await suite.backend.upload('/two-step/lower.txt', bufferBody('content'));
    const mark = suite.emu.controls.requests().length;
    await suite.backend.move('/two-step/lower.txt', '/two-step/LOWER.txt', 'file');
    const moves = requestsSince(suite.emu, mark).filter((r) => r.method === 'POST' && r.path.includes('/two-step/'));
    assert.equal(moves.length, 2, JSON.stringify(moves.map((r) => r.path)));
    assert.deepEqual((await suite.backend.list('/two-step')).map((e) => e.name), ['LOWER.txt']);
  });

  it('a failed second step moves the item back: the old name stays and no temporary name is left', async () => {
    await suite.backend.upload('/rollback/lower.txt', bufferBody('content'));
    // Only the move from the temporary name onto the new spelling fails.
    suite.emu.controls.failNext({ method: 'POST', path: /\.jottadav-[0-9a-f]{12}\?mv=.*LOWER\.txt$/, status: 400, times: 1 });
    await assert.rejects(suite.backend.move('/rollback/lower.txt', '/rollback/LOWER.txt', 'file'), (error: unknown) => isStorageError(error));
    assert.deepEqual((await suite.backend.list('/rollback')).map((e) => e.name), ['lower.txt']);
    assert.equal((await suite.backend.stat('/rollback/lower.txt')).size, 'content'.length);
  });
});
