/**
 * The StorageBackend contract against the real Jottacloud, only when JOTTA_LOGIN_TOKEN is set.
 * The suite works in a unique folder under Jotta/Archive and hard-deletes it at the end; it does
 * not empty the account's trash. A personal login token is single use, so the session is kept in
 * JOTTA_TOKEN_FILE (default: a file in the temp dir) and reused by later runs.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJottacloudBackend } from '../../lib/jottacloud/create-backend.js';
import { FileTokenStore } from '../../lib/jottacloud/token-store.js';
import { storageBackendContract } from '../contracts/storage-backend.contract.js';

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
        loginToken,
        tokenStore: new FileTokenStore(process.env['JOTTA_TOKEN_FILE'] ?? join(tmpdir(), 'jottadav-live-token.json')),
      }),
    }),
    { base: folder, emptyTrash: false, timeoutMs: 120_000 },
  );
}
