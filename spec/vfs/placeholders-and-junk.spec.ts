import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { EMPTY_MD5 } from '../../lib/vfs/entries.js';
import { body, code, eventually, rig, text, type Rig } from './helpers.js';
import { LOCAL_ONLY_DEFAULTS } from '../support/defaults.js';

const empty = () => Readable.from([]);

describe('BackendVfs: placeholders for empty new files', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig({ placeholderGraceMs: 3_600_000 });
  });
  afterEach(() => r.close());

  it('an empty write (Windows\' first PUT, a LOCK on a new name) stays local and shows as a 0-byte file', async () => {
    const result = await r.vfs.write('/new.docx', empty(), { expectedSize: 0 });
    assert.equal(result.created, true);
    assert.equal(r.backend.calls.upload, 0);
    await assert.rejects(r.backend.stat('/new.docx'), code('NOT_FOUND'));
    const entry = await r.vfs.stat('/new.docx');
    assert.deepEqual([entry.kind, entry.size, entry.md5, entry.etag], ['file', 0, EMPTY_MD5, `${EMPTY_MD5}-0`]);
    assert.deepEqual((await r.vfs.list('/')).map((e) => e.name), ['new.docx']);
    assert.equal(await text(await r.vfs.read('/new.docx')), '');
  });

  it('regression: the content that follows makes one revision, not an empty one and a second', async () => {
    await r.vfs.write('/report.docx', empty());
    const second = await r.vfs.write('/report.docx', body('the real content'));
    assert.equal(second.created, false, 'the placeholder already existed for the client');
    assert.equal(r.backend.calls.upload, 1);
    assert.equal(r.backend.revisionsOf('/report.docx'), 1);
    assert.equal(await text(await r.vfs.read('/report.docx')), 'the real content');
    assert.deepEqual((await r.vfs.list('/')).map((e) => e.name), ['report.docx']);
  });

  it('another instance on the same store sees the placeholder', async () => {
    await r.vfs.write('/shared.txt', empty());
    const other = r.twin();
    assert.equal((await other.stat('/SHARED.txt')).size, 0);
    await other.write('/shared.txt', body('filled elsewhere'));
    assert.equal(await text(await r.vfs.read('/shared.txt')), 'filled elsewhere');
    assert.equal(r.backend.revisionsOf('/shared.txt'), 1);
  });

  it('after the grace period a still-empty placeholder becomes a real empty file', async () => {
    const quick = r.twin({ placeholderGraceMs: 20 });
    await quick.write('/later.txt', empty(), { modified: new Date('2022-02-02T02:02:02Z') });
    await eventually(async () => (await r.backend.list('/')).some((e) => e.name === 'later.txt'));
    const remote = await r.backend.stat('/later.txt');
    assert.equal(remote.size, 0);
    assert.equal(remote.modified?.toISOString(), '2022-02-02T02:02:02.000Z');
    await eventually(async () => (await quick.list('/')).length === 1);
    assert.equal(r.backend.revisionsOf('/later.txt'), 1);
  });

  it('close() turns every placeholder into a real empty file (none is lost)', async () => {
    await r.vfs.mkdir('/dir');
    await r.vfs.write('/dir/a', empty());
    await r.vfs.write('/b', empty());
    await r.vfs.close();
    assert.equal((await r.backend.stat('/dir/a')).size, 0);
    assert.equal((await r.backend.stat('/b')).size, 0);
  });

  it('a placeholder can be removed, renamed and set a time on without touching the backend', async () => {
    await r.vfs.write('/p', empty());
    await r.vfs.setModified('/p', new Date('2020-01-01T00:00:00Z'));
    assert.equal((await r.vfs.stat('/p')).modified?.toISOString(), '2020-01-01T00:00:00.000Z');
    await r.vfs.move('/p', '/P2', { overwrite: false });
    assert.equal((await r.vfs.stat('/p2')).name, 'P2');
    await r.vfs.remove('/P2');
    await assert.rejects(r.vfs.stat('/P2'), code('NOT_FOUND'));
    await r.vfs.close();
    assert.equal(r.backend.calls.upload, 0);
    assert.deepEqual(await r.backend.list('/'), []);
  });

  it('an empty write over an existing file is a real (truncating) upload', async () => {
    await r.vfs.write('/full', body('content'));
    await r.vfs.write('/full', empty());
    assert.equal((await r.backend.stat('/full')).size, 0);
  });

  it('a folder moved with a placeholder inside takes it along as a real file', async () => {
    await r.vfs.mkdir('/from');
    await r.vfs.write('/from/p.txt', empty());
    await r.vfs.move('/from', '/to', { overwrite: false });
    assert.equal((await r.vfs.stat('/to/p.txt')).size, 0);
    assert.equal((await r.backend.stat('/to/p.txt')).size, 0);
  });
});

describe('BackendVfs: local-only junk files', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
    await r.vfs.mkdir('/docs');
  });
  afterEach(() => r.close());

  const JUNK = ['._report.pdf', '.DS_Store', 'Thumbs.db', 'desktop.ini', '~$report.docx', '.~lock.report.odt#'];

  it('are kept locally, listed in their folder, readable, and never uploaded', async () => {
    r.backend.resetCalls();
    for (const name of JUNK) await r.vfs.write(`/docs/${name}`, body(`junk ${name}`));
    assert.equal(r.backend.calls.upload, 0);
    assert.deepEqual(await r.backend.list('/docs'), []);
    assert.deepEqual((await r.vfs.list('/docs')).map((e) => e.name).sort(), [...JUNK].sort());
    for (const name of JUNK) assert.equal(await text(await r.vfs.read(`/docs/${name}`)), `junk ${name}`);
    assert.equal(await text(await r.vfs.read('/docs/.DS_Store', { start: 5, end: 6 })), '.D');
    assert.equal((await r.vfs.stat('/docs/thumbs.DB')).name, 'Thumbs.db');
    // Another instance on the same store sees them too.
    assert.equal((await r.twin().list('/docs')).length, JUNK.length);
  });

  it('regression: a junk name never reaches the service by name, not even as a lookup (cold folder)', async () => {
    const cold = r.twin({ namespace: 'cold-junk' });
    await assert.rejects(cold.stat('/docs/._probe'), code('NOT_FOUND'));
    await cold.write('/docs/._probe', body('fork'));
    assert.equal((await r.twin({ namespace: 'cold-junk' }).stat('/docs/._probe')).size, 4);
    assert.deepEqual(r.backend.log.filter((line) => line.includes('._probe')), []);
  });

  it('can be removed and renamed; renamed to a real name it is uploaded', async () => {
    await r.vfs.write('/docs/~$draft.docx', body('owner'));
    await r.vfs.remove('/docs/~$draft.docx');
    await assert.rejects(r.vfs.stat('/docs/~$draft.docx'), code('NOT_FOUND'));
    await r.vfs.write('/docs/._x', body('fork'));
    await r.vfs.move('/docs/._x', '/docs/._y', { overwrite: false });
    assert.equal(await text(await r.vfs.read('/docs/._y')), 'fork');
    assert.equal(r.backend.calls.upload, 0);
    await r.vfs.move('/docs/._y', '/docs/kept.bin', { overwrite: false });
    assert.equal((await r.backend.stat('/docs/kept.bin')).size, 4);
    await assert.rejects(r.vfs.stat('/docs/._y'), code('NOT_FOUND'));
  });

  it('expire after their TTL', async () => {
    const short = r.twin({ localOnly: { ...LOCAL_ONLY_DEFAULTS, ttlMs: 30 } });
    await short.write('/docs/.DS_Store', body('x'));
    assert.equal((await short.list('/docs')).length, 1);
    await eventually(async () => (await short.list('/docs')).length === 0);
  });

  it('larger than the cap: QUOTA_EXCEEDED, nothing stored', async () => {
    const capped = r.twin({ localOnly: { ...LOCAL_ONLY_DEFAULTS, maxBytes: 100 } });
    await assert.rejects(capped.write('/docs/.DS_Store', body(Buffer.alloc(101))), code('QUOTA_EXCEEDED'));
    await assert.rejects(capped.stat('/docs/.DS_Store'), code('NOT_FOUND'));
    assert.deepEqual(await r.spoolFiles(), []);
  });

  it('are uploaded like any file when the option is off; patterns are configurable', async () => {
    const plain = r.twin({ localOnly: false });
    await plain.write('/docs/.DS_Store', body('x'));
    assert.equal((await r.backend.stat('/docs/.DS_Store')).size, 1);
    const custom = r.twin({ localOnly: { ...LOCAL_ONLY_DEFAULTS, patterns: ['*.tmp'] } });
    await custom.write('/docs/a.tmp', body('t'));
    await custom.write('/docs/Thumbs.db', body('t'));
    assert.deepEqual((await r.backend.list('/docs')).map((e) => e.name).sort(), ['.DS_Store', 'Thumbs.db']);
  });
});

describe('BackendVfs: placeholders and content written by another tool', () => {
  it('regression: a placeholder never overwrites content that arrived behind its back', async () => {
    const r = await rig({ placeholderGraceMs: 3_600_000 });
    try {
      await r.vfs.write('/race.txt', Readable.from([]));
      r.backend.seedFile('/race.txt', 'written by rclone');
      await r.vfs.close();
      assert.equal(await text(await r.backend.read('/race.txt')), 'written by rclone');
    } finally {
      await r.close();
    }
  });
});

describe('BackendVfs: local-only files follow their folder', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
    await r.vfs.mkdir('/album');
    await r.vfs.mkdir('/album/inner');
    await r.vfs.write('/album/.DS_Store', body('top'));
    await r.vfs.write('/album/inner/._photo.jpg', body('fork'));
  });
  afterEach(() => r.close());

  it('a folder move takes them along', async () => {
    await r.vfs.move('/album', '/Renamed', { overwrite: false });
    assert.equal(await text(await r.vfs.read('/Renamed/.DS_Store')), 'top');
    assert.equal(await text(await r.vfs.read('/Renamed/inner/._photo.jpg')), 'fork');
    await r.vfs.mkdir('/album');
    assert.deepEqual(await r.vfs.list('/album'), []);
  });

  it('a folder delete removes them; a new folder of that name starts empty', async () => {
    await r.vfs.remove('/album');
    await r.vfs.mkdir('/album');
    await r.vfs.mkdir('/album/inner');
    assert.deepEqual((await r.vfs.list('/album')).map((e) => e.name), ['inner']);
    assert.deepEqual(await r.vfs.list('/album/inner'), []);
  });
});
