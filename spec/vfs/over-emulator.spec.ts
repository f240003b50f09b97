import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendVfs } from '../../lib/vfs/backend-vfs.js';
import { emulatorBackend, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { body, code, text } from '../contracts/vfs.contract.js';
import { VFS_DEFAULTS } from '../support/defaults.js';

describe('BackendVfs over the emulator: names and faults on the wire', () => {
  let emulator: TestEmulator;
  let vfs: BackendVfs;
  let spoolDir: string;
  let close: () => Promise<void>;
  beforeEach(async () => {
    emulator = await startTestEmulator();
    const backend = await emulatorBackend(emulator.emu);
    spoolDir = await mkdtemp(join(tmpdir(), 'vfs-emu-'));
    vfs = new BackendVfs({ ...VFS_DEFAULTS, backend, spoolDir, md5MemoryLimit: 1024 });
    close = async () => {
      await vfs.close();
      await backend.close();
      await emulator.close();
      await rm(spoolDir, { recursive: true, force: true });
    };
  });
  afterEach(() => close());

  it('rclone\'s test tree with reserved characters round-trips', async () => {
    const path = '/hello? sausage/êé/Hello, 世界/ " \' @ < > & ? + ≠';
    let at = '';
    for (const segment of path.split('/').slice(1)) {
      at += `/${segment}`;
      await vfs.mkdir(at);
    }
    await vfs.write(`${path}/z.txt`, body('deep'));
    assert.equal(await text(await vfs.read(`${path}/z.txt`)), 'deep');
    assert.deepEqual((await vfs.list('/')).map((e) => e.name), ['hello? sausage']);
  });

  it('an upload cut mid-body resumes from the spool at resume_pos (memory and disk spool)', async () => {
    for (const size of [1000, 50_000]) {
      const content = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 256));
      emulator.emu.controls.cutUploadAfter(300);
      const mark = emulator.emu.controls.requests().length;
      const { entry } = await vfs.write(`/resumed-${size}.bin`, body(content));
      assert.equal(entry.size, size);
      const uploads = emulator.emu.controls.requests().slice(mark).filter((r) => r.method === 'POST' && /upload/.test(r.path));
      assert.ok(uploads.length >= 2, `the cut upload was resumed (${uploads.length} upload requests)`);
      assert.ok(uploads.reduce((sum, r) => sum + r.requestBytes, 0) < size + 300 + 1, 'the resume did not resend everything');
      assert.equal(entry.md5, createHash('md5').update(content).digest('hex'));
      assert.equal(await text(await vfs.read(`/resumed-${size}.bin`, { start: size - 3 })), content.subarray(size - 3).toString());
    }
    assert.deepEqual(await readdir(spoolDir), []);
  });

  it('regression: a failing upload leaves the previous version intact and visible, and no spool', async () => {
    await vfs.write('/doc.bin', body('first version'));
    const before = await vfs.stat('/doc.bin');
    emulator.emu.controls.failNext({ path: /allocate|upload/, status: 503, times: 50 });
    await assert.rejects(vfs.write('/doc.bin', body(Buffer.alloc(20_000, 9))), code('UNAVAILABLE'));
    emulator.emu.controls.reset();
    assert.equal(await text(await vfs.read('/doc.bin')), 'first version');
    assert.equal((await vfs.stat('/doc.bin')).etag, before.etag);
    assert.deepEqual(await readdir(spoolDir), []);
  });
});
