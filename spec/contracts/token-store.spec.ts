/**
 * The TokenStore contract (./token-store.contract.ts) bound to every implementation: the
 * KeyValueTokenStore over one shared store and the FileTokenStore, two instances on one file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, KeyValueTokenStore } from '../../lib/jottacloud/token-store.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { tokenStoreContract } from './token-store.contract.js';

tokenStoreContract('KeyValueTokenStore over one shared store', async () => {
  const shared = new MemoryStore();
  return { a: new KeyValueTokenStore(shared), b: new KeyValueTokenStore(shared) };
});

describe('TokenStore contract bound to files', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jottadav-tokens-contract-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  let n = 0;
  tokenStoreContract('FileTokenStore, two instances on one file', async () => {
    const file = join(dir, `t${++n}`, 'token.json');
    return { a: new FileTokenStore(file), b: new FileTokenStore(file) };
  });
});
