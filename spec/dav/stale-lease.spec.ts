/**
 * A lease left in the store by a holder that died (kill -9 with the on-disk store) expires before
 * a waiter gives up. The bug this pins: leases lived 30 s and waiters gave up after 15 s, so a
 * restarted server answered 503 to LOCKs on that key for up to half a minute (found by the
 * kill -9 spec in ops/).
 */
import assert from 'node:assert/strict';
import { StoreMutex } from '../../lib/dav/mutex.js';
import { MemoryStore } from '../../lib/store/memory-store.js';

describe('dav: the store mutex after its holder died', function () {
  this.timeout(40_000);

  it('regression: a lease left by a dead process expires, and the next request runs instead of 503', async () => {
    const store = new MemoryStore();
    // A holder in another process that dies mid-work: its lease stays, never released.
    void new StoreMutex(store).run('/', () => new Promise<never>(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(await store.get<string>('lease:/'), 'the dead holder left its lease in the store');
    const mutex = new StoreMutex(store);
    const result = await mutex.run('/', async () => 'ran');
    assert.equal(result, 'ran');
  });
});
