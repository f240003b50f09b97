import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBackend } from '../support/memory-backend.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { BackendVfs, type BackendVfsOptions } from '../../lib/vfs/backend-vfs.js';
import { ListingMemory } from '../../lib/vfs/memory-dir-cache.js';
import { VFS_DEFAULTS } from '../support/defaults.js';

export { body, code, text } from '../contracts/vfs.contract.js';

export interface Rig {
  backend: MemoryBackend;
  store: MemoryStore;
  vfs: BackendVfs;
  spoolDir: string;
  /**
   * Another bridge instance on the same backend and store: in this process (one listing memory)
   * unless `sharedCache` makes both cache in the store, as instances in several processes do.
   */
  twin(options?: Partial<BackendVfsOptions>): BackendVfs;
  spoolFiles(): Promise<string[]>;
  close(): Promise<void>;
}

export async function rig(options: Partial<BackendVfsOptions> = {}, backend = new MemoryBackend()): Promise<Rig> {
  const store = new MemoryStore();
  const listingMemory = new ListingMemory(64 * 1024 * 1024);
  const spoolDir = await mkdtemp(join(tmpdir(), 'vfs-spec-'));
  const opened: BackendVfs[] = [];
  const make = (extra: Partial<BackendVfsOptions> = {}) => {
    const vfs = new BackendVfs({ ...VFS_DEFAULTS, backend, store, listingMemory, spoolDir, ...options, ...extra });
    opened.push(vfs);
    return vfs;
  };
  const vfs = make();
  return {
    backend,
    store,
    vfs,
    spoolDir,
    twin: make,
    spoolFiles: () => readdir(spoolDir),
    async close() {
      for (const v of opened) await v.close();
      await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` holds (polling), failing after `ms`; no timing is asserted. */
export async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
