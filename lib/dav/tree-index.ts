import type { KeyValueStore } from '../store/key-value-store.js';
import { parentPath, splitPath } from '../util/paths.js';
import type { Mutex } from './mutex.js';

/**
 * For every collection, the set of lock tokens rooted strictly below it, so that "every lock
 * below /a" is one store read instead of a key scan (KeyValueStore has none, and Redis SCAN
 * would not scale). Adding a lock at /a/b/c writes the records of '/', '/a' and '/a/b'. The
 * records hold live locks only (a few per open document), so their size stays small; dead
 * properties, which can exist on every file, use the sparser ChildIndex instead.
 *
 * Indexed by resource key, not by a user's path: keys are path-shaped and name the same
 * resource for every user of an account, so a user whose root lies above another's still finds
 * the other's locks below a folder of theirs.
 */
export class TreeIndex {
  constructor(
    private readonly store: KeyValueStore,
    private readonly mutex: Mutex,
  ) {}

  /** Records `id` (with its key) in the index of every proper ancestor of resource key `key`. */
  async add(key: string, id: string): Promise<void> {
    await Promise.all(
      ancestors(key).map((a) => this.update(a, (entries) => {
        entries[id] = key;
      })),
    );
  }

  async remove(key: string, id: string): Promise<void> {
    await Promise.all(
      ancestors(key).map((a) => this.update(a, (entries) => {
        delete entries[id];
      })),
    );
  }

  /** id → resource key of everything recorded strictly below resource key `key`. */
  async below(key: string): Promise<Record<string, string>> {
    return (await this.store.get<Record<string, string>>(`sub:${key}`)) ?? {};
  }

  private async update(ancestorKey: string, change: (entries: Record<string, string>) => void): Promise<void> {
    const key = `sub:${ancestorKey}`;
    await this.mutex.run(key, async () => {
      const entries = (await this.store.get<Record<string, string>>(key)) ?? {};
      change(entries);
      if (Object.keys(entries).length === 0) await this.store.delete(key);
      else await this.store.set(key, entries);
    });
  }
}

/** Proper ancestors of `path`, root first: '/a/b' → ['/', '/a']. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  let p = path;
  while (splitPath(p).length > 0) {
    p = parentPath(p);
    out.unshift(p);
  }
  return out;
}
