import type { KeyValueStore } from '../store/key-value-store.js';
import { ChildIndex } from './child-index.js';
import { StoreMutex } from './mutex.js';

/**
 * Dead properties in the KeyValueStore: one record per resource under props:<resourceKey>,
 * plus a ChildIndex so that a collection's descendants' properties can follow a COPY, MOVE or
 * DELETE, and a listing can find its children's, without listing the tree or scanning keys.
 */

export interface DeadProp {
  ns: string;
  local: string;
  /** The property's content as self-contained XML (see xml.ts serialise). */
  xml: string;
}

interface PropsRecord {
  path: string;
  props: Record<string, DeadProp>;
}

/** The properties of each child of one collection (DeadProps.forChildren). */
export interface ChildProps {
  get(childPath: string): Readonly<Record<string, DeadProp>>;
  /** Some child has dead properties. */
  readonly any: boolean;
}

function recordKeyOf(resourceKey: string): string {
  return `props:${resourceKey}`;
}

const NO_PROPS: Readonly<Record<string, DeadProp>> = Object.freeze({});

export function propKey(ns: string, local: string): string {
  return `{${ns}}${local}`;
}

export class DeadProps {
  private readonly mutex: StoreMutex;
  private readonly index: ChildIndex;
  private readonly isMarked = async (path: string) => (await this.store.get<PropsRecord>(this.recordKey(path))) !== undefined;

  constructor(
    private readonly store: KeyValueStore,
    private readonly keyOf: (path: string) => string,
  ) {
    this.mutex = new StoreMutex(store);
    this.index = new ChildIndex(store, this.mutex, keyOf);
  }

  async get(path: string): Promise<Record<string, DeadProp>> {
    return (await this.store.get<PropsRecord>(this.recordKey(path)))?.props ?? {};
  }

  /**
   * The properties of each child of `parent`, for a Depth-1 listing: the parent's index says
   * which children have any, so only those cost a store read, and when none has any the lookup
   * costs nothing per child. The returned records are shared: do not change them.
   */
  async forChildren(parent: string): Promise<ChildProps> {
    const indexed = await this.index.children(parent);
    const keys = Object.keys(indexed);
    if (keys.length === 0) return { get: () => NO_PROPS, any: false };
    const records = await Promise.all(keys.map((k) => this.store.get<PropsRecord>(recordKeyOf(k))));
    const byKey = new Map<string, Record<string, DeadProp>>();
    const byPath = new Map<string, Record<string, DeadProp>>();
    keys.forEach((key, i) => {
      const props = records[i]?.props;
      if (!props) return; // a branch leading to marked resources further down
      byKey.set(key, props);
      byPath.set(indexed[key] as string, props);
    });
    if (byKey.size === 0) return { get: () => NO_PROPS, any: false };
    // The index remembers the path each child was marked under; a listing usually names it the
    // same way, so the resource key (normalisation, case folding) is needed only for the rest.
    return { get: (child) => byPath.get(child) ?? byKey.get(this.keyOf(child)) ?? NO_PROPS, any: true };
  }

  /** Replaces the whole property set of `path` (PROPPATCH computes it atomically). */
  async put(path: string, props: Record<string, DeadProp>): Promise<void> {
    const key = this.recordKey(path);
    const had = (await this.store.get<PropsRecord>(key)) !== undefined;
    if (Object.keys(props).length === 0) {
      await this.store.delete(key);
      if (had) await this.index.unmark(path, this.isMarked);
      return;
    }
    await this.store.set<PropsRecord>(key, { path, props });
    if (!had) await this.index.mark(path);
  }

  /** Serialises PROPPATCHes of one resource (across instances sharing the store). */
  async update(path: string, change: (props: Record<string, DeadProp>) => Promise<Record<string, DeadProp> | undefined>): Promise<void> {
    await this.mutex.run(`update:${this.keyOf(path)}`, async () => {
      const next = await change(await this.get(path));
      if (next) await this.put(path, next);
    });
  }

  /** Removes the properties of `path` and everything below it. */
  async removeTree(path: string): Promise<void> {
    for (const p of [path, ...(await this.index.below(path))]) await this.store.delete(this.recordKey(p));
    await this.index.unmark(path, this.isMarked, true);
  }

  /** Copies the properties of `from` (and, with `deep`, of everything below) onto `to`. */
  async copyTree(from: string, to: string, deep: boolean): Promise<void> {
    await this.removeTree(to);
    const paths = deep ? [from, ...(await this.index.below(from))] : [from];
    for (const p of paths) {
      const props = await this.get(p);
      if (Object.keys(props).length > 0) await this.put(to + p.slice(from.length), props);
    }
  }

  async moveTree(from: string, to: string): Promise<void> {
    await this.copyTree(from, to, true);
    await this.removeTree(from);
  }

  private recordKey(path: string): string {
    return recordKeyOf(this.keyOf(path));
  }
}
