/**
 * The KeyValueStore contract (./key-value-store.contract.ts) bound to every implementation:
 * MemoryStore, keyv over a Map, the file store (LMDB, reopened from disk) and Redis (reopened
 * through a second connection; needs the redis-server binary).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../lib/store/create-store.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { describeWithRedis } from '../support/redis-server.js';
import { keyValueStoreContract } from './key-value-store.contract.js';

keyValueStoreContract('MemoryStore', async () => new MemoryStore());
keyValueStoreContract('createStore memory (keyv Map)', async () => createStore({ kind: 'memory' }));

describe('KeyValueStore contract bound to the file store (LMDB)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jottadav-store-contract-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const open = async () => createStore({ kind: 'file', dir });
  keyValueStoreContract('createStore file', open, open);
});

describeWithRedis('KeyValueStore contract bound to Redis (@keyv/redis)', (redis) => {
  const open = async () => createStore({ kind: 'redis', url: redis().url });
  keyValueStoreContract('createStore redis', open, open);
});
