import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { isStorageError } from '../../lib/storage/errors.js';
import { MemoryVfs } from '../support/memory-vfs.js';

const body = (s: string) => Readable.from([Buffer.from(s)]);
const text = async (r: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};
const code = (c: string) => (e: unknown) => isStorageError(e) && e.code === c;

describe('spec/support/memory-vfs: the in-memory Vfs used by specs and litmus', () => {
  it('is case-sensitive by default and folds case on request, keeping the stored case', async () => {
    const sensitive = new MemoryVfs();
    await sensitive.write('/A.txt', body('1'));
    await sensitive.write('/a.txt', body('2'));
    assert.equal((await sensitive.list('/')).length, 2);
    assert.notEqual(sensitive.resourceKey('/A.txt'), sensitive.resourceKey('/a.txt'));
    const folding = new MemoryVfs({ caseInsensitive: true });
    await folding.write('/Docs.TXT', body('1'));
    await folding.write('/docs.txt', body('2'));
    const entries = await folding.list('/');
    assert.deepEqual(entries.map((e) => e.name), ['Docs.TXT']);
    assert.equal(await text(await folding.read('/DOCS.txt')), '2');
    assert.equal(folding.resourceKey('/DOCS.txt'), folding.resourceKey('/docs.TXT'));
    assert.equal(folding.resourceKey('/e\u0301'), folding.resourceKey('/\u00e9'));
  });

  it('commits a write only when the body has ended; an aborted body leaves the old version', async () => {
    const vfs = new MemoryVfs();
    await vfs.write('/f', body('old'));
    const stream = new PassThrough();
    const pending = vfs.write('/f', stream);
    stream.write('new par');
    await new Promise((r) => setImmediate(r));
    assert.equal(await text(await vfs.read('/f')), 'old');
    stream.destroy(new Error('client went away'));
    await assert.rejects(pending, code('ABORTED'));
    assert.equal(await text(await vfs.read('/f')), 'old');
  });

  it('refuses a body that does not match the declared size', async () => {
    const vfs = new MemoryVfs();
    await assert.rejects(vfs.write('/f', body('abc'), { expectedSize: 4 }), code('INVALID_ARGUMENT'));
    await assert.rejects(vfs.write('/f', body('abcde'), { expectedSize: 4 }), code('INVALID_ARGUMENT'));
    await assert.rejects(vfs.stat('/f'), code('NOT_FOUND'));
  });

  it('reports the documented codes', async () => {
    const vfs = new MemoryVfs();
    await vfs.write('/f', body('x'));
    await assert.rejects(vfs.write('/missing/f', body('x')), code('PARENT_MISSING'));
    await assert.rejects(vfs.mkdir('/f'), code('ALREADY_EXISTS'));
    await assert.rejects(vfs.list('/f'), code('NOT_A_DIRECTORY'));
    await assert.rejects(vfs.read('/'), code('IS_A_DIRECTORY'));
    await assert.rejects(vfs.read('/f', { start: 5 }), code('INVALID_ARGUMENT'));
    await vfs.mkdir('/d');
    await assert.rejects(vfs.move('/d', '/d/inner', { overwrite: true }), code('INVALID_ARGUMENT'));
    await assert.rejects(vfs.copy('/f', '/d', { overwrite: false }), code('ALREADY_EXISTS'));
    await assert.rejects(vfs.remove('/nothing'), code('NOT_FOUND'));
  });

  it('reads ranges, copies shallow and deep, and keeps ETags equal for equal content', async () => {
    const vfs = new MemoryVfs();
    await vfs.mkdir('/d');
    await vfs.write('/d/f', body('0123456789'));
    assert.equal(await text(await vfs.read('/d/f', { start: 2, end: 4 })), '234');
    assert.equal(await text(await vfs.read('/d/f', { start: 7 })), '789');
    assert.equal((await vfs.copy('/d', '/shallow', { overwrite: false, depth: 0 })).created, true);
    assert.deepEqual(await vfs.list('/shallow'), []);
    await vfs.copy('/d', '/deep', { overwrite: false });
    assert.equal((await vfs.stat('/deep/f')).etag, (await vfs.stat('/d/f')).etag);
    await vfs.write('/deep/f', body('changed'));
    assert.notEqual((await vfs.stat('/deep/f')).etag, (await vfs.stat('/d/f')).etag);
    assert.equal((await vfs.usage())?.used, 17);
  });
});
