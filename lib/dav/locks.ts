import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../store/key-value-store.js';
import { isSameOrBelow, joinPath, parentPath, splitPath } from '../util/paths.js';
import { StoreMutex } from './mutex.js';
import { ancestors, TreeIndex } from './tree-index.js';

/**
 * WebDAV write locks in the KeyValueStore, so that several bridge instances can share them.
 * Users whose roots overlap share locks: every index is by resource key (path-shaped, the same
 * for every user of an account), and a lock's root is shown to each viewer in their own path
 * space (viewerPath). Keys (inside the caller's namespace):
 *   lock:<token>      the lock record, with a store TTL equal to its timeout
 *   at:<resourceKey>  tokens of the locks rooted at that resource
 *   sub:<resourceKey> tokens of the locks rooted strictly below it (TreeIndex)
 * so the locks covering a path are depth+1 reads and the locks below it one read.
 */

export type LockScope = 'exclusive' | 'shared';

export interface LockRecord {
  token: string;
  /** Client path of the lock root, as its creator addressed it. */
  path: string;
  /**
   * The Vfs resource key of the lock root. Users whose roots overlap share locks (their keys
   * name account-level resources), and only the key means the same to all of them.
   */
  key?: string;
  depth: '0' | 'infinity';
  scope: LockScope;
  /** The DAV:owner element's content as self-contained XML, when the client sent one. */
  owner?: string;
  /** The authenticated user who created it. */
  user?: string;
  timeoutSeconds: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export const TOKEN_PREFIX = 'urn:uuid:';

/** The locks covering each child of one collection (LockManager.forChildren). */
export interface ChildLocks {
  get(childPath: string): readonly LockRecord[];
  /** Some lock covers some child. */
  readonly any: boolean;
}

export class LockManager {
  private readonly mutex: StoreMutex;
  private readonly tree: TreeIndex;

  constructor(
    private readonly store: KeyValueStore,
    private readonly keyOf: (path: string) => string,
  ) {
    this.mutex = new StoreMutex(store);
    this.tree = new TreeIndex(store, this.mutex);
  }

  /**
   * Runs a LOCK's conflict check and creation as one step for every instance sharing the store,
   * so that two instances cannot both grant an exclusive lock on the same resource.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T> {
    return this.mutex.run('lock-table', work);
  }

  /** The resource key of the lock's root, the same for every user who sees it. */
  rootKey(lock: LockRecord): string {
    return lock.key ?? this.keyOf(lock.path);
  }

  /**
   * The lock's root as a path of this viewer, or undefined when it lies outside their root.
   * `near` is a path of the viewer's that the lock covers or lies below (the resource at hand):
   * an ancestor of it is spelled as the viewer spells it; a root below it takes its last
   * segments from the creator's path, which ends with the same segments as the key.
   */
  viewerPath(lock: LockRecord, near: string): string | undefined {
    const key = this.rootKey(lock);
    for (let path = near; ; path = parentPath(path)) {
      if (this.keyOf(path) === key) return path;
      if (path === '/') break;
    }
    const nearKey = this.keyOf(near);
    if (key === nearKey || !isSameOrBelow(key, nearKey)) return undefined;
    const depth = splitPath(key).length - splitPath(nearKey).length;
    const tail = splitPath(lock.path).slice(-depth);
    return tail.length === depth ? tail.reduce((path, name) => joinPath(path, name), near) : undefined;
  }

  async get(token: string): Promise<LockRecord | undefined> {
    const lock = await this.store.get<LockRecord>(`lock:${token}`);
    return lock && lock.expiresAt > Date.now() ? lock : undefined;
  }

  /** Locks rooted at `path`, plus Depth-infinity locks rooted at its ancestors. */
  async covering(path: string): Promise<LockRecord[]> {
    const [own, inherited] = await Promise.all([this.rootedAt(path), this.inheritedBy(path)]);
    return [...own, ...inherited];
  }

  /**
   * Depth-infinity locks rooted at a proper ancestor of `path` (shared by all its children),
   * also above the viewer's root: the ancestors are those of the resource key.
   */
  async inheritedBy(path: string): Promise<LockRecord[]> {
    const perAncestor = await Promise.all(ancestors(this.keyOf(path)).map((a) => this.rootedAtKey(a)));
    return perAncestor.flat().filter((l) => l.depth === 'infinity');
  }

  rootedAt(path: string): Promise<LockRecord[]> {
    return this.rootedAtKey(this.keyOf(path));
  }

  private async rootedAtKey(key: string): Promise<LockRecord[]> {
    const tokens = (await this.store.get<string[]>(`at:${key}`)) ?? [];
    const locks = await Promise.all(tokens.map((t) => this.get(t)));
    if (locks.some((l) => l === undefined)) await this.pruneAt(key);
    return locks.filter((l): l is LockRecord => l !== undefined);
  }

  /** Locks rooted strictly below `path`. */
  async below(path: string): Promise<LockRecord[]> {
    const entries = await this.tree.below(this.keyOf(path));
    const locks = await Promise.all(Object.keys(entries).map((t) => this.get(t)));
    // Expired locks leave their index entries behind (the store TTL removes only the record).
    const stale = Object.keys(entries).filter((_t, i) => locks[i] === undefined);
    for (const token of stale) await this.tree.remove(entries[token] as string, token);
    return locks.filter((l): l is LockRecord => l !== undefined && isSameOrBelow(this.rootKey(l), this.keyOf(path)));
  }

  /**
   * For a Depth-1 listing: the locks covering each child, from the parent's index instead of a
   * store read per child. Children share one array (do not change it); a child's resource key is
   * computed only when some lock is rooted below the parent, so a listing without locks there
   * costs no per-child work.
   */
  async forChildren(parent: string): Promise<ChildLocks> {
    const [inherited, atParent, below] = await Promise.all([this.inheritedBy(parent), this.rootedAt(parent), this.below(parent)]);
    const fromAbove: readonly LockRecord[] = [...inherited, ...atParent.filter((l) => l.depth === 'infinity')];
    if (below.length === 0) return { get: () => fromAbove, any: fromAbove.length > 0 };
    const own = new Map<string, LockRecord[]>();
    for (const lock of below) {
      const key = this.rootKey(lock);
      own.set(key, [...(own.get(key) ?? []), lock]);
    }
    return {
      get: (child) => {
        const mine = own.get(this.keyOf(child));
        return mine ? [...fromAbove, ...mine] : fromAbove;
      },
      any: true,
    };
  }

  async create(fields: Omit<LockRecord, 'token' | 'expiresAt'>): Promise<LockRecord> {
    const lock: LockRecord = {
      ...fields,
      key: this.keyOf(fields.path),
      token: `${TOKEN_PREFIX}${randomUUID()}`,
      expiresAt: Date.now() + fields.timeoutSeconds * 1000,
    };
    await this.store.set(`lock:${lock.token}`, lock, fields.timeoutSeconds * 1000);
    const at = `at:${this.rootKey(lock)}`;
    await this.mutex.run(at, async () => {
      const tokens = await this.liveTokens(at);
      await this.store.set(at, [...tokens, lock.token]);
    });
    await this.tree.add(this.rootKey(lock), lock.token);
    return lock;
  }

  async refresh(lock: LockRecord, timeoutSeconds: number): Promise<LockRecord> {
    const refreshed = { ...lock, timeoutSeconds, expiresAt: Date.now() + timeoutSeconds * 1000 };
    await this.store.set(`lock:${lock.token}`, refreshed, timeoutSeconds * 1000);
    return refreshed;
  }

  async remove(lock: LockRecord): Promise<void> {
    await this.store.delete(`lock:${lock.token}`);
    const at = `at:${this.rootKey(lock)}`;
    await this.mutex.run(at, async () => {
      const tokens = (await this.liveTokens(at)).filter((t) => t !== lock.token);
      if (tokens.length === 0) await this.store.delete(at);
      else await this.store.set(at, tokens);
    });
    await this.tree.remove(this.rootKey(lock), lock.token);
  }

  /** Removes every lock rooted at or below `path` (the resource was deleted or moved away). */
  async removeTree(path: string): Promise<void> {
    const locks = [...(await this.rootedAt(path)), ...(await this.below(path))];
    for (const lock of locks) await this.remove(lock);
  }

  private async pruneAt(key: string): Promise<void> {
    const at = `at:${key}`;
    await this.mutex.run(at, async () => {
      const tokens = await this.liveTokens(at);
      if (tokens.length === 0) await this.store.delete(at);
      else await this.store.set(at, tokens);
    });
  }

  /** Tokens still backed by a live record; expired ones are dropped from the index lazily. */
  private async liveTokens(atKey: string): Promise<string[]> {
    const tokens = (await this.store.get<string[]>(atKey)) ?? [];
    const live = await Promise.all(tokens.map(async (t) => ((await this.get(t)) ? t : undefined)));
    return live.filter((t): t is string => t !== undefined);
  }
}

/** Lock-Token / token from the If header: accepts `<urn:uuid:…>` and, for Windows, a bare token. */
export function stripBrackets(token: string): string {
  const t = token.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1).trim() : t;
}
