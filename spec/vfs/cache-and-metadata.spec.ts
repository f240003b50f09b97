import assert from 'node:assert/strict';
import { body, code, eventually, rig, text, type Rig } from './helpers.js';

describe('BackendVfs: listing cache', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
    await r.vfs.mkdir('/a');
    await r.vfs.mkdir('/a/b');
    for (let i = 0; i < 5; i++) await r.vfs.write(`/a/b/f${i}.txt`, body(`file ${i}`));
    r.backend.resetCalls();
  });
  afterEach(() => r.close());

  it('a list costs at most one backend listing, even cold; stat of a child is answered from it', async () => {
    const cold = r.twin({ namespace: 'cold' });
    const entries = await cold.list('/a/b');
    assert.equal(entries.length, 5);
    assert.equal(r.backend.calls.list, 1);
    for (const e of entries) assert.equal((await cold.stat(e.path)).etag, e.etag);
    await cold.list('/a/b');
    assert.equal(r.backend.calls.list, 1);
    assert.equal(r.backend.calls.stat, 0);
  });

  it('a cold stat then list of a folder (PROPFIND Depth 1) costs one backend listing', async () => {
    const cold = r.twin({ namespace: 'cold-propfind' });
    assert.equal((await cold.stat('/a/b')).kind, 'collection');
    assert.equal((await cold.list('/a/b')).length, 5);
    assert.equal(r.backend.calls.list, 1);
    assert.equal(r.backend.calls.stat, 0);
    // A file costs its own small lookup; a miss falls back to the parent's listing (NFD twins).
    assert.equal((await cold.stat('/a/b/f1.txt')).size, 6);
    await assert.rejects(cold.stat('/a/nothing'), code('NOT_FOUND'));
  });

  it('every change made through the vfs invalidates the listings it touched', async () => {
    await r.vfs.list('/a/b');
    const listed = () => r.vfs.list('/a/b').then((es) => es.map((e) => e.name).sort());
    await r.vfs.write('/a/b/new.txt', body('n'));
    assert.ok((await listed()).includes('new.txt'));
    await r.vfs.remove('/a/b/f0.txt');
    assert.ok(!(await listed()).includes('f0.txt'));
    await r.vfs.move('/a/b/f1.txt', '/a/f1.txt', { overwrite: false });
    assert.ok(!(await listed()).includes('f1.txt'));
    assert.ok((await r.vfs.list('/a')).some((e) => e.name === 'f1.txt'));
    await r.vfs.copy('/a/f1.txt', '/a/b/copy.txt', { overwrite: false });
    assert.ok((await listed()).includes('copy.txt'));
    await r.vfs.mkdir('/a/b/sub');
    assert.ok((await listed()).includes('sub'));
    const when = new Date('2019-09-09T09:09:09Z');
    await r.vfs.setModified('/a/b/f2.txt', when);
    assert.equal((await r.vfs.stat('/a/b/f2.txt')).modified?.getTime(), when.getTime());
  });

  it('a run of writes into a folder does not re-list it after each write (two small stats instead)', async () => {
    await r.vfs.list('/a/b');
    r.backend.resetCalls();
    for (let i = 0; i < 10; i++) await r.vfs.write(`/a/b/new${i}.txt`, body('n'));
    await r.vfs.write('/a/b/F0.TXT', body('replaced'));
    assert.equal(r.backend.calls.list, 0);
    assert.equal(r.backend.calls.upload, 11);
    assert.deepEqual((await r.backend.list('/a/b')).filter((e) => e.name.toLowerCase() === 'f0.txt').map((e) => e.name), ['f0.txt']);
    await assert.rejects(r.vfs.write('/a/missing/x', body('x')), code('PARENT_MISSING'));
    await assert.rejects(r.vfs.write('/a/b/f1.txt/x', body('x')), code('PARENT_MISSING'));
    await assert.rejects(r.vfs.mkdir('/a/B'), code('ALREADY_EXISTS'));
  });

  it('changes through one instance are seen by another on the same store', async () => {
    const other = r.twin();
    assert.equal((await other.list('/a/b')).length, 5);
    await r.vfs.write('/a/b/f0.txt', body('changed content'));
    assert.equal((await other.stat('/a/b/f0.txt')).size, 15);
  });

  it('moving a folder invalidates its whole subtree (O(1) token swap)', async () => {
    await r.vfs.list('/a/b');
    await r.vfs.move('/a', '/c', { overwrite: false });
    await r.vfs.mkdir('/a');
    await assert.rejects(r.vfs.list('/a/b'), code('NOT_FOUND'));
    assert.equal((await r.vfs.list('/c/b')).length, 5);
    await r.vfs.remove('/c');
    await r.vfs.mkdir('/c');
    assert.deepEqual(await r.vfs.list('/c'), []);
  });

  it('changes made outside the bridge show after the TTL', async () => {
    const short = r.twin({ namespace: 'short', listingTtlMs: 40 });
    assert.equal((await short.list('/a/b')).length, 5);
    r.backend.seedFile('/a/b/external.txt', 'from rclone');
    await eventually(async () => (await short.list('/a/b')).length === 6);
  });
});

describe('BackendVfs: metadata, usage, delete policy and the trash view', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  it('etag from MD5 and size, modified to the second, content type, no etag on collections', async () => {
    const { entry } = await r.vfs.write('/photo.JPG', body('jpeg bytes'), { modified: new Date('2024-05-06T07:08:09.987Z') });
    assert.equal(entry.etag, `${entry.md5}-10`);
    assert.equal(entry.modified?.toISOString(), '2024-05-06T07:08:09.000Z');
    assert.equal(entry.contentType, 'image/jpeg');
    assert.ok(entry.created);
    assert.equal((await r.vfs.write('/notes.md', body('# x'))).entry.contentType, 'text/markdown');
    const dir = await r.vfs.mkdir('/folder');
    assert.equal(dir.etag, undefined);
    assert.equal((await r.vfs.stat('/folder')).etag, undefined);
  });

  it('usage comes from the backend, cached; unknown is undefined, never 0', async () => {
    await r.vfs.write('/f', body('12345'));
    assert.deepEqual(await r.vfs.usage(), { used: 5 });
    await r.vfs.usage();
    assert.equal(r.backend.calls.usage, 1);
    const failing = r.twin({ namespace: 'failing' });
    r.backend.failNext('usage');
    assert.equal(await failing.usage(), undefined);
  });

  it('deletes to the trash by default; hardDelete deletes permanently', async () => {
    await r.vfs.write('/trashed.txt', body('t'));
    await r.vfs.remove('/trashed.txt');
    assert.deepEqual((await r.backend.list('/', { trashedOnly: true })).map((e) => e.name), ['trashed.txt']);
    const hard = r.twin({ hardDelete: true });
    await hard.write('/gone.txt', body('g'));
    await hard.remove('/gone.txt');
    assert.deepEqual((await r.backend.list('/', { trashedOnly: true })).map((e) => e.name), ['trashed.txt']);
  });

  it('the trashedOnly view lists and reads trashed items and refuses every write', async () => {
    await r.vfs.mkdir('/dir');
    await r.vfs.write('/dir/old.txt', body('old content'));
    await r.vfs.write('/live.txt', body('live'));
    await r.vfs.remove('/dir/old.txt');
    const trash = r.twin({ trashedOnly: true });
    assert.deepEqual((await trash.list('/')).map((e) => e.name), ['dir']);
    assert.deepEqual((await trash.list('/dir')).map((e) => e.name), ['old.txt']);
    assert.equal(await text(await trash.read('/dir/old.txt')), 'old content');
    await assert.rejects(trash.write('/x', body('x')), code('PERMISSION_DENIED'));
    await assert.rejects(trash.mkdir('/y'), code('PERMISSION_DENIED'));
    await assert.rejects(trash.remove('/dir/old.txt'), code('PERMISSION_DENIED'));
    await assert.rejects(trash.move('/dir', '/z', { overwrite: true }), code('PERMISSION_DENIED'));
    await assert.rejects(trash.copy('/dir', '/z', { overwrite: true }), code('PERMISSION_DENIED'));
    await assert.rejects(trash.setModified('/dir/old.txt', new Date()), code('PERMISSION_DENIED'));
  });

  it('backend failures surface as StorageError and are not cached', async () => {
    r.backend.failNext('list', 'UNAVAILABLE');
    await assert.rejects(r.vfs.list('/'), code('UNAVAILABLE'));
    assert.deepEqual(await r.vfs.list('/'), []);
  });
});
