import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore, KeyValueTokenStore, type StoredToken, type TokenStore } from '../../lib/jottacloud/token-store.js';
import { MemoryStore } from '../../lib/store/memory-store.js';

const BASE = Date.now();
const token = (generation: number): StoredToken => ({
  accessToken: `a${generation}`,
  refreshToken: `r${generation}`,
  tokenType: 'bearer',
  expiresAt: BASE + 3_600_000,
  lifetimeSeconds: 3600,
  tokenEndpoint: 'http://127.0.0.1:1/token',
  clientId: 'jottacli',
  generation,
});

function tokenStoreContract(name: string, make: () => Promise<{ a: TokenStore; b: TokenStore }>) {
  describe(`TokenStore: ${name}`, () => {
    it('load is undefined until saved; save replaces', async () => {
      const { a, b } = await make();
      assert.equal(await a.load(), undefined);
      await a.save(token(1));
      await a.save(token(2));
      assert.deepEqual(await b.load(), token(2));
    });
    it('one lease holder at a time, across instances; released or expired leases can be retaken', async () => {
      const { a, b } = await make();
      assert.equal(await a.acquireLease('A', 60_000), true);
      assert.equal(await b.acquireLease('B', 60_000), false);
      await b.releaseLease('B'); // not the owner: no effect
      assert.equal(await b.acquireLease('B', 60_000), false);
      await a.releaseLease('A');
      assert.equal(await b.acquireLease('B', 50), true);
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(await a.acquireLease('A', 60_000), true, 'expired lease is stale');
    });
  });
}

describe('token stores', () => {
  tokenStoreContract('KeyValueTokenStore over one shared store', async () => {
    const shared = new MemoryStore();
    return { a: new KeyValueTokenStore(shared), b: new KeyValueTokenStore(shared) };
  });

  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jottadav-tokens-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  let n = 0;
  tokenStoreContract('FileTokenStore, two instances on one file', async () => {
    const file = join(dir, `t${++n}`, 'token.json');
    return { a: new FileTokenStore(file), b: new FileTokenStore(file) };
  });

  it('FileTokenStore writes mode 0600 through a temp file and leaves no temp behind', async () => {
    const file = join(dir, 'mode', 'token.json');
    const store = new FileTokenStore(file);
    await Promise.all([store.save(token(1)), store.save(token(2)), store.save(token(3))]);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(dir, 'mode')), ['token.json']);
    const loaded = await store.load();
    assert.ok(loaded && [1, 2, 3].includes(loaded.generation), 'a whole token, never a mix');
  });
});
