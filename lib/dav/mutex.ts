import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../store/key-value-store.js';
import { DavError } from './errors.js';

export interface Mutex {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** Serialises work on the same key within this process (a promise chain per key). */
export class KeyedMutex implements Mutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

// The work under a lease is one read-modify-write of an index record (milliseconds). A holder
// that dies leaves its lease in the store (a restart after kill -9 finds it in the on-disk store):
// it must expire before a waiter gives up, or the restarted server answers 503 to every LOCK on
// that key until it does.
export const STORE_MUTEX_TIMINGS: Readonly<StoreMutexTimings> = Object.freeze({ leaseTtlMs: 10_000, waitLimitMs: 15_000 });

export interface StoreMutexTimings {
  /** How long a lease lives in the store should its holder die without releasing it. */
  leaseTtlMs: number;
  /** How long a waiter polls for the lease before it answers 503. */
  waitLimitMs: number;
}

/**
 * Serialises work on the same key across every process sharing the store (several bridge
 * instances on one Redis): a lease taken with the store's atomic setIfAbsent, expiring by TTL
 * should its holder die. Within a process a KeyedMutex queues first, so only one request per
 * process polls. Guards the read-modify-write of index records and the LOCK conflict check.
 */
export class StoreMutex implements Mutex {
  private readonly local = new KeyedMutex();

  /** `timings`: shorter ones let a spec watch a dead holder's lease expire without a 10 s wait. */
  constructor(
    private readonly store: KeyValueStore,
    private readonly timings: StoreMutexTimings = STORE_MUTEX_TIMINGS,
  ) {}

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, async () => {
      const lease = `lease:${key}`;
      const id = randomUUID();
      const deadline = Date.now() + this.timings.waitLimitMs;
      for (let wait = 2; !(await this.store.setIfAbsent(lease, id, this.timings.leaseTtlMs)); wait = Math.min(wait * 2, 100)) {
        if (Date.now() > deadline) throw DavError.serviceUnavailable('the lock table is busy', 1);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      try {
        return await work();
      } finally {
        // Best effort: only our own lease is released (an expired one may belong to another).
        if ((await this.store.get<string>(lease)) === id) await this.store.delete(lease);
      }
    });
  }
}
