import assert from 'node:assert/strict';
import { MemoryBackend } from '../support/memory-backend.js';
import { BackendVfs } from '../../lib/vfs/backend-vfs.js';
import { MountsVfs } from '../../lib/vfs/mounts-vfs.js';
import type { Vfs } from '../../lib/vfs/types.js';
import { body, code, text } from './helpers.js';
import { VFS_DEFAULTS } from '../support/defaults.js';

/** An account with devices and mount points, each mount point its own backend. */
function account(layout: Record<string, string[]>) {
  const backends = new Map<string, MemoryBackend>();
  const vfs = new MountsVfs({
    source: {
      list: async () => Object.keys(layout),
      vfsFor: (device) =>
        new MountsVfs({
          source: {
            list: async () => layout[device]!,
            vfsFor: (mount): Vfs => {
              const backend = new MemoryBackend();
              backends.set(`${device}/${mount}`, backend);
              return new BackendVfs({ ...VFS_DEFAULTS, backend });
            },
          },
        }),
    },
  });
  return { vfs, backends };
}

describe('MountsVfs: every device and mount point as top-level folders', () => {
  it('lists devices at the root and mount points below, and routes into each mount point', async () => {
    const { vfs, backends } = account({ Jotta: ['Archive', 'Sync'], Laptop: ['Documents'] });
    assert.deepEqual((await vfs.list('/')).map((e) => [e.path, e.kind]), [['/Jotta', 'collection'], ['/Laptop', 'collection']]);
    assert.deepEqual((await vfs.list('/jotta')).map((e) => e.path), ['/Jotta/Archive', '/Jotta/Sync']);
    const { entry } = await vfs.write('/Jotta/Archive/a?.txt', body('archived'));
    assert.equal(entry.path, '/Jotta/Archive/a?.txt');
    assert.deepEqual((await backends.get('Jotta/Archive')!.list('/')).map((e) => e.name), ['a？.txt']);
    assert.equal(await text(await vfs.read('/JOTTA/archive/A?.txt')), 'archived');
    assert.equal((await vfs.stat('/Jotta/Archive')).kind, 'collection');
    assert.equal((await vfs.stat('/Jotta/Archive/a?.txt')).path, '/Jotta/Archive/a?.txt');
    await vfs.close();
  });

  it('the top levels are fixed: no writes, mkdir, removes or moves of them', async () => {
    const { vfs } = account({ Jotta: ['Archive'] });
    await assert.rejects(vfs.mkdir('/Jotta'), code('ALREADY_EXISTS'));
    await assert.rejects(vfs.mkdir('/NewDevice'), code('PERMISSION_DENIED'));
    await assert.rejects(vfs.mkdir('/Jotta/NewMount'), code('PERMISSION_DENIED'));
    await assert.rejects(vfs.write('/file.txt', body('x')), code('IS_A_DIRECTORY'));
    await assert.rejects(vfs.remove('/Jotta/Archive'), code('PERMISSION_DENIED'));
    await assert.rejects(vfs.move('/Jotta/Archive', '/Jotta/Other', { overwrite: false }), code('PERMISSION_DENIED'));
    await assert.rejects(vfs.stat('/Nope'), code('NOT_FOUND'));
    await assert.rejects(vfs.write('/Nope/x/y', body('x')), code('PARENT_MISSING'));
    await assert.rejects(vfs.read('/Jotta'), code('IS_A_DIRECTORY'));
    await vfs.close();
  });

  it('moves and copies within one mount point server-side, and across mount points by streaming', async () => {
    const { vfs, backends } = account({ Jotta: ['Archive', 'Sync'] });
    await vfs.mkdir('/Jotta/Archive/dir');
    await vfs.write('/Jotta/Archive/dir/f.txt', body('content'), { modified: new Date('2020-01-01T00:00:00Z') });
    await vfs.copy('/Jotta/Archive/dir', '/Jotta/Archive/copy', { overwrite: false });
    assert.equal(backends.get('Jotta/Archive')!.calls.copy, 1);
    await vfs.move('/Jotta/Archive/dir', '/Jotta/Sync/moved', { overwrite: false });
    await assert.rejects(vfs.stat('/Jotta/Archive/dir'), code('NOT_FOUND'));
    const moved = await vfs.stat('/Jotta/Sync/moved/f.txt');
    assert.equal(moved.modified?.toISOString(), '2020-01-01T00:00:00.000Z');
    assert.equal(await text(await vfs.read('/Jotta/Sync/moved/f.txt')), 'content');
    await assert.rejects(vfs.copy('/Jotta/Archive/copy', '/Jotta/Sync/moved', { overwrite: false }), code('ALREADY_EXISTS'));
    assert.deepEqual(await vfs.copy('/Jotta/Archive/copy', '/Jotta/Sync/moved', { overwrite: true }), { created: false });
    assert.equal(await text(await vfs.read('/Jotta/Sync/moved/f.txt')), 'content');
    assert.deepEqual(await vfs.usage(), { used: 14 });
    await vfs.close();
  });
});
