/**
 * The Vfs contract (./vfs.contract.ts) bound to every implementation: BackendVfs over the
 * in-memory backend (with the disk spool, and with the listing cache off and hard delete),
 * BackendVfs over the Jottacloud backend speaking the wire protocol to the emulator, and the
 * in-memory MemoryVfs the WebDAV specs run on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { BackendVfs } from '../../lib/vfs/backend-vfs.js';
import { emulatorBackend, startTestEmulator } from '../support/emulator.js';
import { MemoryBackend } from '../support/memory-backend.js';
import { MemoryVfs } from '../support/memory-vfs.js';
import { vfsContract } from './vfs.contract.js';
import { VFS_DEFAULTS } from '../support/defaults.js';

vfsContract('BackendVfs over MemoryBackend', async () => {
  const spoolDir = await mkdtemp(join(tmpdir(), 'vfs-contract-'));
  // A tiny memory limit so that the contract also runs through the disk spool.
  const vfs = new BackendVfs({ ...VFS_DEFAULTS, backend: new MemoryBackend(), store: new MemoryStore(), spoolDir, md5MemoryLimit: 4 });
  return { vfs, cleanup: () => rm(spoolDir, { recursive: true, force: true }) };
});

vfsContract('BackendVfs over MemoryBackend, listing cache off, hard delete', () => ({
  vfs: new BackendVfs({ ...VFS_DEFAULTS, backend: new MemoryBackend(), listingTtlMs: 0, hardDelete: true }),
}));

vfsContract('BackendVfs over the Jottacloud backend and the emulator', async () => {
  const emulator = await startTestEmulator();
  const backend = await emulatorBackend(emulator.emu);
  const spoolDir = await mkdtemp(join(tmpdir(), 'vfs-emu-'));
  const vfs = new BackendVfs({ ...VFS_DEFAULTS, backend, store: new MemoryStore(), spoolDir, md5MemoryLimit: 8 });
  return {
    vfs,
    async cleanup() {
      await backend.close();
      await emulator.close();
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
});

vfsContract('MemoryVfs (case-insensitive)', () => ({ vfs: new MemoryVfs({ caseInsensitive: true }) }));
