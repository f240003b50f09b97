/**
 * The StorageBackend contract (./storage-backend.contract.ts) bound to every implementation:
 * the in-memory fake the vfs specs run on, the Jottacloud backend against the local emulator,
 * and the real Jottacloud when a login token is given.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJottacloudBackend } from '../../lib/jottacloud/create-backend.js';
import { FileTokenStore } from '../../lib/jottacloud/token-store.js';
import { emulatorBackend, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { InterruptibleBackend } from '../../lib/storage/interruptible-backend.js';
import { MemoryBackend } from '../support/memory-backend.js';
import { storageBackendContract } from './storage-backend.contract.js';
import { ACCOUNT_MOUNT } from '../support/defaults.js';

// The fake the vfs specs run on must keep the contract the real backend keeps.
storageBackendContract('MemoryBackend (in-memory fake)', async () => ({ backend: new MemoryBackend() }));

// The wrapper that cuts uploads at shutdown forwards every method unchanged.
storageBackendContract('InterruptibleBackend over MemoryBackend', async () => ({ backend: new InterruptibleBackend(new MemoryBackend()) }));

let harness: TestEmulator | undefined;
storageBackendContract(
  'Jottacloud backend against the emulator',
  async () => {
    harness = await startTestEmulator();
    return {
      backend: await emulatorBackend(harness.emu),
      cleanup: async () => {
        await harness?.close();
      },
    };
  },
  { base: '/contract' },
);

/*
 * The real Jottacloud, only when JOTTA_LOGIN_TOKEN is set. The suite works in a unique folder
 * under Jotta/Archive and hard-deletes it at the end; it does not empty the account's trash. A
 * personal login token is single use, so the session is kept in JOTTA_TOKEN_FILE (default: a
 * file in the temp dir) and reused by later runs.
 */
const loginToken = process.env['JOTTA_LOGIN_TOKEN'];
if (!loginToken) {
  describe('StorageBackend contract: live Jottacloud', () => {
    it('runs only with JOTTA_LOGIN_TOKEN set (skipped: no token in the environment)');
  });
} else {
  const folder = `/jottadav-contract-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`;
  storageBackendContract(
    `live Jottacloud (${folder})`,
    async () => ({
      backend: await createJottacloudBackend({
        ...ACCOUNT_MOUNT,
        loginToken,
        tokenStore: new FileTokenStore(process.env['JOTTA_TOKEN_FILE'] ?? join(tmpdir(), 'jottadav-live-token.json')),
      }),
    }),
    { base: folder, emptyTrash: false, timeoutMs: 120_000 },
  );
}
