import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '../support/memory-backend.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { BackendVfs } from '../../lib/vfs/backend-vfs.js';
import { MemoryVfs } from '../support/memory-vfs.js';
import { vfsContract } from '../contracts/vfs.contract.js';

vfsContract('BackendVfs over MemoryBackend', async () => {
  const spoolDir = await mkdtemp(join(tmpdir(), 'vfs-contract-'));
  // A tiny memory limit so that the contract also runs through the disk spool.
  const vfs = new BackendVfs({ backend: new MemoryBackend(), store: new MemoryStore(), spoolDir, md5MemoryLimit: 4 });
  return { vfs, cleanup: () => rm(spoolDir, { recursive: true, force: true }) };
});

vfsContract('BackendVfs over MemoryBackend, listing cache off, hard delete', () => ({
  vfs: new BackendVfs({ backend: new MemoryBackend(), listingTtlMs: 0, hardDelete: true }),
}));

vfsContract('MemoryVfs (case-insensitive)', () => ({ vfs: new MemoryVfs({ caseInsensitive: true }) }));
