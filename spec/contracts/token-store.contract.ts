/**
 * The TokenStore contract (lib/jottacloud/token-store.ts): two instances over one shared place
 * see one saved session and one refresh lease, as two bridges on one account would.
 */
import assert from 'node:assert/strict';
import type { StoredToken, TokenStore } from '../../lib/jottacloud/token-store.js';

const BASE = Date.now();

/** A whole stored session; `generation` tells the saves apart. */
export const storedToken = (generation: number): StoredToken => ({
  accessToken: `a${generation}`,
  refreshToken: `r${generation}`,
  tokenType: 'bearer',
  expiresAt: BASE + 3_600_000,
  lifetimeSeconds: 3600,
  tokenEndpoint: 'http://127.0.0.1:1/token',
  clientId: 'jottacli',
  generation,
});

export function tokenStoreContract(name: string, make: () => Promise<{ a: TokenStore; b: TokenStore }>): void {
  describe(`TokenStore contract: ${name}`, () => {
    it('load is undefined until saved; save replaces', async () => {
      const { a, b } = await make();
      assert.equal(await a.load(), undefined);
      await a.save(storedToken(1));
      await a.save(storedToken(2));
      assert.deepEqual(await b.load(), storedToken(2));
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
