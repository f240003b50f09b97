import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { UploadBody } from '../../lib/storage/backend.js';
import { MemoryBackend } from '../support/memory-backend.js';
import { body, code, rig, text, type Rig } from './helpers.js';

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Records what the spool dir held while the backend was receiving. */
class ObservingBackend extends MemoryBackend {
  spoolDir = '';
  seenSpool: string[] = [];
  override async upload(path: string, upload: UploadBody) {
    const { readdir } = await import('node:fs/promises');
    this.seenSpool = await readdir(this.spoolDir);
    return super.upload(path, upload);
  }
}

describe('BackendVfs: upload spool, MD5, failures and aborts', () => {
  let r: Rig;
  let backend: ObservingBackend;
  beforeEach(async () => {
    backend = new ObservingBackend();
    r = await rig({ md5MemoryLimit: 1024 }, backend);
    backend.spoolDir = r.spoolDir;
  });
  afterEach(() => r.close());

  it('spools a small body in memory and a larger one on disk; no spool file is left', async () => {
    await r.vfs.write('/small', body(Buffer.alloc(1024, 1)));
    assert.deepEqual(backend.seenSpool, []);
    const big = Buffer.alloc(300_000, 7);
    big.write('distinct head');
    const result = await r.vfs.write('/big', Readable.from([big.subarray(0, 1000), big.subarray(1000)]));
    assert.equal(backend.seenSpool.length, 1, 'the big body was on disk during the upload');
    assert.deepEqual(await r.spoolFiles(), []);
    assert.equal(result.entry.md5, md5(big));
    assert.equal(result.entry.etag, `${md5(big)}-${big.length}`);
    assert.equal((await r.backend.stat('/big')).md5, md5(big));
  });

  it('a resumed upload re-opens the spool at the cut (memory and disk)', async () => {
    for (const size of [900, 200_000]) {
      const content = Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
      r.backend.uploadOpens.length = 0;
      r.backend.failUploadAfter(333, { resume: true });
      await r.vfs.write(`/resumed-${size}`, body(content));
      assert.deepEqual(r.backend.uploadOpens, [0, 333]);
      assert.equal(md5(await bytes(await r.vfs.read(`/resumed-${size}`))), md5(content));
      assert.equal((await r.backend.stat(`/resumed-${size}`)).md5, md5(content));
    }
    assert.deepEqual(await r.spoolFiles(), []);
  });

  it('regression: a fault injected mid-upload leaves the previous version intact and visible', async () => {
    await r.vfs.write('/doc.txt', body('version one'));
    const before = await r.vfs.stat('/doc.txt');
    r.backend.failUploadAfter(100);
    await assert.rejects(r.vfs.write('/doc.txt', body(Buffer.alloc(50_000, 2))), code('UNAVAILABLE'));
    assert.equal(await text(await r.vfs.read('/doc.txt')), 'version one');
    assert.equal((await r.vfs.stat('/doc.txt')).etag, before.etag);
    assert.deepEqual((await r.vfs.list('/')).map((e) => [e.name, e.size]), [['doc.txt', 11]]);
    assert.deepEqual(await r.spoolFiles(), []);
  });

  it('a failed first upload of a new name leaves nothing behind', async () => {
    r.backend.failNext('upload', 'QUOTA_EXCEEDED');
    await assert.rejects(r.vfs.write('/new.bin', body(Buffer.alloc(5000))), code('QUOTA_EXCEEDED'));
    await assert.rejects(r.vfs.stat('/new.bin'), code('NOT_FOUND'));
    assert.deepEqual(await r.spoolFiles(), []);
  });

  it('an aborted body uploads nothing and removes the spool (in memory and on disk)', async () => {
    await r.vfs.write('/keep', body('old'));
    for (const sent of [10, 50_000]) {
      r.backend.resetCalls();
      const stream = new PassThrough();
      const pending = r.vfs.write('/keep', stream);
      stream.write(Buffer.alloc(sent, 3));
      await new Promise((resolve) => setTimeout(resolve, 20));
      stream.destroy(new Error('client went away'));
      await assert.rejects(pending, code('ABORTED'));
      assert.equal(r.backend.calls.upload, 0);
      assert.deepEqual(await r.spoolFiles(), []);
      assert.equal(await text(await r.vfs.read('/keep')), 'old');
    }
  });

  it('a body shorter or longer than expectedSize fails without an upload', async () => {
    r.backend.resetCalls();
    await assert.rejects(r.vfs.write('/x', body(Buffer.alloc(2000)), { expectedSize: 1999 }), code('INVALID_ARGUMENT'));
    await assert.rejects(r.vfs.write('/x', body(Buffer.alloc(2000)), { expectedSize: 2001 }), code('INVALID_ARGUMENT'));
    assert.equal(r.backend.calls.upload, 0);
    assert.deepEqual(await r.spoolFiles(), []);
  });

  it('resolves only after the backend confirmed the upload', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new (class extends MemoryBackend {
      override async upload(path: string, upload: UploadBody) {
        await gate;
        return super.upload(path, upload);
      }
    })();
    const s = await rig({}, slow);
    try {
      let settled = false;
      const pending = s.vfs.write('/f', body('content')).then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(settled, false);
      release();
      await pending;
      assert.equal((await slow.stat('/f')).size, 7);
    } finally {
      await s.close();
    }
  });
});

describe('BackendVfs: a client that goes away before the body is read', () => {
  it('regression: a body destroyed while the parent is looked up is ABORTED, not an uncaught error', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Every lookup the write makes before it reads the body waits for the gate.
    const slowList = new (class extends MemoryBackend {
      override async list(path: string) {
        await gate;
        return super.list(path);
      }
      override async stat(path: string) {
        await gate;
        return super.stat(path);
      }
    })();
    const s = await rig({}, slowList);
    try {
      const stream = new PassThrough();
      let settled = false;
      const pending = s.vfs.write('/f', stream).finally(() => (settled = true));
      const outcome = assert.rejects(pending, code('ABORTED'));
      stream.destroy(new Error('client went away'));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false, 'the write was still looking up its target');
      release();
      await outcome;
      assert.equal(slowList.calls.upload, 0);
    } finally {
      await s.close();
    }
  });
});
