import type { KeyValueStore } from '../store/key-value-store.js';

/**
 * Local-only "junk" files: the metadata droppings of Finder (`._*`, `.DS_Store`), Windows
 * (`Thumbs.db`, `desktop.ini`) and Office/LibreOffice owner files (`~$*`, `.~lock.*#`). They are
 * kept in the shared store with a TTL and never uploaded, so they cost the account nothing and
 * a folder full of `._*` files does not turn into thousands of Jottacloud revisions.
 */

/** The folders that may hold local-only files. */
const FOLDERS = 'lo:folders';

export interface LocalOnlyOptions {
  /** Names kept local (localOnly.patterns): `*` and `?` wildcards, whole name, any case. */
  patterns: string[];
  /** How long a junk file lives after its last write (localOnly.ttl). */
  ttlMs: number;
  /** The clock expiries are set and checked by; Date.now unless a spec moves time. */
  now?: () => number;
  /** Largest body kept (default 1 MiB); a larger write fails with QUOTA_EXCEEDED. */
  maxBytes?: number;
}

export interface LocalFileMeta {
  name: string;
  size: number;
  md5: string;
  created: number;
  modified: number;
  expiresAt: number;
}

export class LocalOnlyFiles {
  readonly ttlMs: number;
  readonly maxBytes: number;
  private readonly patterns: RegExp[];
  private readonly now: () => number;

  constructor(
    private readonly store: KeyValueStore,
    options: LocalOnlyOptions,
  ) {
    this.patterns = options.patterns.map(globToRegExp);
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
  }

  matches(name: string): boolean {
    return this.patterns.some((p) => p.test(name));
  }

  /** The live junk files of a folder, keyed by folded name. */
  async inFolder(dirKey: string): Promise<Record<string, LocalFileMeta>> {
    const index = (await this.store.get<Record<string, LocalFileMeta>>(`lo:d:${dirKey}`)) ?? {};
    const now = this.now();
    for (const [key, meta] of Object.entries(index)) if (meta.expiresAt <= now) delete index[key];
    return index;
  }

  async read(dirKey: string, nameKey: string): Promise<Buffer | undefined> {
    const data = await this.store.get<string>(`lo:f:${dirKey}\n${nameKey}`);
    return data === undefined ? undefined : Buffer.from(data, 'base64');
  }

  async put(dirKey: string, nameKey: string, meta: Omit<LocalFileMeta, 'expiresAt'>, content: Buffer): Promise<LocalFileMeta> {
    const full: LocalFileMeta = { ...meta, expiresAt: this.now() + this.ttlMs };
    await this.store.set(`lo:f:${dirKey}\n${nameKey}`, content.toString('base64'), this.ttlMs);
    const index = await this.inFolder(dirKey);
    index[nameKey] = full;
    await this.store.set(`lo:d:${dirKey}`, index, this.ttlMs);
    const folders = await this.folders();
    if (!folders.includes(dirKey)) await this.store.set(FOLDERS, [...folders, dirKey], this.ttlMs);
    return full;
  }

  /** Folder keys that may hold local-only files (so a folder move or delete can take them along). */
  async folders(): Promise<string[]> {
    return (await this.store.get<string[]>(FOLDERS)) ?? [];
  }

  /** The folder `from` (folded client path) moved to `to`: its local-only files, and those below, follow. */
  async moveTree(from: string, to: string): Promise<void> {
    for (const key of await this.folders()) {
      if (key !== from && !key.startsWith(`${from}/`)) continue;
      const target = to + key.slice(from.length);
      for (const [nameKey, meta] of Object.entries(await this.inFolder(key))) {
        const content = (await this.read(key, nameKey)) ?? Buffer.alloc(0);
        await this.put(target, nameKey, meta, content);
        await this.remove(key, nameKey);
      }
    }
  }

  /** The folder `prefix` was removed: so are its local-only files, and those below. */
  async removeTree(prefix: string): Promise<void> {
    for (const key of await this.folders()) {
      if (key !== prefix && !key.startsWith(`${prefix}/`)) continue;
      for (const nameKey of Object.keys(await this.inFolder(key))) await this.remove(key, nameKey);
    }
  }

  async touch(dirKey: string, nameKey: string, modified: number): Promise<void> {
    const index = await this.inFolder(dirKey);
    const meta = index[nameKey];
    if (!meta) return;
    index[nameKey] = { ...meta, modified };
    await this.store.set(`lo:d:${dirKey}`, index, this.ttlMs);
  }

  async remove(dirKey: string, nameKey: string): Promise<boolean> {
    const index = await this.inFolder(dirKey);
    const existed = nameKey in index;
    delete index[nameKey];
    await this.store.delete(`lo:f:${dirKey}\n${nameKey}`);
    if (Object.keys(index).length > 0) {
      await this.store.set(`lo:d:${dirKey}`, index, this.ttlMs);
    } else {
      await this.store.delete(`lo:d:${dirKey}`);
      const folders = await this.folders();
      if (folders.includes(dirKey)) await this.store.set(FOLDERS, folders.filter((k) => k !== dirKey), this.ttlMs);
    }
    return existed;
  }
}

/** `*` any run, `?` one character, everything else literal; whole name, case-insensitive. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'isu');
}
