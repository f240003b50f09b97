/**
 * What the next listing does with the swap files an overwrite without revisions can leave after a
 * crash (lib/vfs/no-versions.ts), on the in-memory backend with the clock given explicitly.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { MemoryBackend } from '../support/memory-backend.js';
import { parseSwapName, recoverSwaps, replaceWithoutRevision, SWAP_STALE_MS } from '../../lib/vfs/no-versions.js';

const body = (text: string) => ({ size: Buffer.byteLength(text), md5: createHash('md5').update(text).digest('hex'), open: () => Readable.from([Buffer.from(text)]) });

describe('vfs no-versions: swap files left by a crash', () => {
  let backend: MemoryBackend;
  const names = async () => (await backend.list('/d')).map((e) => e.name).sort();
  const put = (name: string, text: string) => backend.upload(`/d/${name}`, body(text));
  const later = () => Date.now() + SWAP_STALE_MS + 60_000;

  beforeEach(async () => {
    backend = new MemoryBackend();
    await backend.mkdir('/d');
  });

  it('replaces a file under its own name and leaves no swap file', async () => {
    await put('a.txt', 'old');
    const entry = await replaceWithoutRevision(backend, '/d', 'a.txt', body('new'));
    assert.equal(entry.name, 'a.txt');
    assert.deepEqual(await names(), ['a.txt']);
    assert.equal((await backend.stat('/d/a.txt')).md5, body('new').md5);
  });

  it('a committing swap whose target is gone (crash after the delete) is moved into place at once', async () => {
    await put('.jottadav-swap-abc123=a.txt', 'newest');
    assert.equal(await recoverSwaps(backend, '/d', await backend.list('/d')), true);
    assert.deepEqual(await names(), ['a.txt']);
    assert.equal((await backend.stat('/d/a.txt')).md5, body('newest').md5);
  });

  it('a swap that never reached committing is never moved into place (a deleted file stays deleted), only cleared once stale', async () => {
    await put('.jottadav-swap-abc123~a.txt', 'unconfirmed');
    assert.equal(await recoverSwaps(backend, '/d', await backend.list('/d')), false);
    assert.deepEqual(await names(), ['.jottadav-swap-abc123~a.txt']);
    assert.equal(await recoverSwaps(backend, '/d', await backend.list('/d'), later()), true);
    assert.deepEqual(await names(), []);
  });

  it('a committing swap whose target still exists is left alone while young (a swap in progress), cleared once stale', async () => {
    await put('a.txt', 'old');
    await put('.jottadav-swap-abc123=a.txt', 'new');
    assert.equal(await recoverSwaps(backend, '/d', await backend.list('/d')), false);
    assert.equal(await recoverSwaps(backend, '/d', await backend.list('/d'), later()), true);
    assert.deepEqual(await names(), ['a.txt']);
    assert.equal((await backend.stat('/d/a.txt')).md5, body('old').md5);
  });

  it('reads swap names, and no other name', () => {
    assert.deepEqual(parseSwapName('.jottadav-swap-mx68g4=a~b=c.txt'), { id: 'mx68g4', stage: '=', target: 'a~b=c.txt' });
    assert.equal(parseSwapName('.jottadav-swap-x'), undefined);
    assert.equal(parseSwapName('report.jottadav-swap-1~a'), undefined);
  });
});
