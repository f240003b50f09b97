import type { KeyValueStore } from '../store/key-value-store.js';
import { KeyedMutex } from './mutex.js';
import { TreeIndex } from './tree-index.js';

/**
 * Dead properties in the KeyValueStore: one record per resource under props:<resourceKey>,
 * plus a TreeIndex so that a collection's descendants' properties can follow a COPY, MOVE or
 * DELETE without listing the tree.
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

export function propKey(ns: string, local: string): string {
  return `{${ns}}${local}`;
}

export class DeadProps {
  private readonly mutex = new KeyedMutex();
  private readonly tree: TreeIndex;

  constructor(
    private readonly store: KeyValueStore,
    private readonly keyOf: (path: string) => string,
  ) {
    this.tree = new TreeIndex(store, this.mutex, keyOf);
  }

  async get(path: string): Promise<Record<string, DeadProp>> {
    return (await this.store.get<PropsRecord>(this.recordKey(path)))?.props ?? {};
  }

  /**
   * The properties of each child of `parent`, for a Depth-1 listing: the parent's index says
   * which children have any, so the others cost no store read.
   */
  async forChildren(parent: string, children: string[]): Promise<Map<string, Record<string, DeadProp>>> {
    const withProps = new Set(Object.keys(await this.tree.below(parent)));
    const found = await Promise.all(children.map((c) => (withProps.has(this.keyOf(c)) ? this.get(c) : Promise.resolve({}))));
    return new Map(children.map((c, i) => [c, found[i] as Record<string, DeadProp>]));
  }

  /** Replaces the whole property set of `path` (PROPPATCH computes it atomically). */
  async put(path: string, props: Record<string, DeadProp>): Promise<void> {
    const key = this.recordKey(path);
    const had = (await this.store.get<PropsRecord>(key)) !== undefined;
    if (Object.keys(props).length === 0) {
      await this.store.delete(key);
      if (had) await this.tree.remove(path, this.keyOf(path));
      return;
    }
    await this.store.set<PropsRecord>(key, { path, props });
    if (!had) await this.tree.add(path, this.keyOf(path));
  }

  /** Serialises PROPPATCHes of one resource inside this process. */
  async update(path: string, change: (props: Record<string, DeadProp>) => Promise<Record<string, DeadProp> | undefined>): Promise<void> {
    await this.mutex.run(`update:${this.keyOf(path)}`, async () => {
      const next = await change(await this.get(path));
      if (next) await this.put(path, next);
    });
  }

  /** Removes the properties of `path` and everything below it. */
  async removeTree(path: string): Promise<void> {
    for (const p of [path, ...(await this.descendants(path))]) await this.put(p, {});
  }

  /** Copies the properties of `from` (and, with `deep`, of everything below) onto `to`. */
  async copyTree(from: string, to: string, deep: boolean): Promise<void> {
    await this.removeTree(to);
    const paths = deep ? [from, ...(await this.descendants(from))] : [from];
    for (const p of paths) {
      const props = await this.get(p);
      if (Object.keys(props).length > 0) await this.put(to + p.slice(from.length), props);
    }
  }

  async moveTree(from: string, to: string): Promise<void> {
    await this.copyTree(from, to, true);
    await this.removeTree(from);
  }

  private async descendants(path: string): Promise<string[]> {
    return Object.values(await this.tree.below(path));
  }

  private recordKey(path: string): string {
    return `props:${this.keyOf(path)}`;
  }
}
