import type { KeyValueStore } from '../store/key-value-store.js';
import { parentPath, splitPath } from '../util/paths.js';
import type { Mutex } from './mutex.js';

/**
 * A sparse mirror of the tree holding only the branches that lead to marked resources (those
 * with dead properties). kids:<resourceKey of a collection> maps each direct child that is
 * marked, or has marked resources below it, to the child's path.
 *
 * Unlike a flat "everything below" record per ancestor, no record grows with the size of the
 * account: each holds at most one collection's children, and marking a resource usually writes
 * one record (the walk up stops at the first ancestor that already lists the branch). Windows
 * sets Win32 properties on every file it creates, so this matters.
 */
export class ChildIndex {
  constructor(
    private readonly store: KeyValueStore,
    private readonly mutex: Mutex,
    private readonly keyOf: (path: string) => string,
  ) {}

  /** The marked-or-leading children of `path`: child resourceKey → child path. */
  async children(path: string): Promise<Record<string, string>> {
    return (await this.store.get<Record<string, string>>(this.recordKey(path))) ?? {};
  }

  /** `path` became marked: make every ancestor lead to it. */
  async mark(path: string): Promise<void> {
    let child = path;
    while (splitPath(child).length > 0) {
      const parent = parentPath(child);
      const added = await this.update(parent, (kids) => {
        const key = this.keyOf(child);
        if (kids[key] !== undefined) return false;
        kids[key] = child;
        return true;
      });
      // The parent already led here, and so do its ancestors.
      if (!added) return;
      child = parent;
    }
  }

  /**
   * `path` is no longer marked (and, for `subtree`, nothing below it either): prune the branch
   * upwards while no other marked resource needs it. `isMarked` tells whether a collection on
   * the way up is itself marked.
   */
  async unmark(path: string, isMarked: (path: string) => Promise<boolean>, subtree = false): Promise<void> {
    if (subtree) await this.dropSubtree(path);
    else if (Object.keys(await this.children(path)).length > 0) return;
    let child = path;
    while (splitPath(child).length > 0) {
      const parent = parentPath(child);
      let emptied = false;
      await this.update(parent, (kids) => {
        delete kids[this.keyOf(child)];
        emptied = Object.keys(kids).length === 0;
        return true;
      });
      if (!emptied || (await isMarked(parent))) return;
      child = parent;
    }
  }

  /** Every path at or below `path` the index leads to (marked ones and the branches to them). */
  async below(path: string): Promise<string[]> {
    const out: string[] = [];
    const queue = [path];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const child of Object.values(await this.children(next))) {
        out.push(child);
        queue.push(child);
      }
    }
    return out;
  }

  private async dropSubtree(path: string): Promise<void> {
    for (const p of [path, ...(await this.below(path))]) await this.store.delete(this.recordKey(p));
  }

  private recordKey(path: string): string {
    return `kids:${this.keyOf(path)}`;
  }

  /** Read-modify-write of one record under the mutex; `change` says whether it changed. */
  private async update(path: string, change: (kids: Record<string, string>) => boolean): Promise<boolean> {
    const key = this.recordKey(path);
    return this.mutex.run(key, async () => {
      const kids = (await this.store.get<Record<string, string>>(key)) ?? {};
      if (!change(kids)) return false;
      if (Object.keys(kids).length === 0) await this.store.delete(key);
      else await this.store.set(key, kids);
      return true;
    });
  }
}
