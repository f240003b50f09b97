import type { KeyValueStore } from '../store/key-value-store.js';

/**
 * Placeholders: an empty PUT (Windows creates every new file that way before the real PUT), or
 * the empty write a LOCK on a new name performs, is kept locally instead of becoming an empty
 * revision that the real content would follow a moment later. Records live in the shared store
 * so that every instance sees them; the owner of a due placeholder uploads a real empty file, and
 * any instance that lists a folder with an overdue one does it too, so none is ever lost.
 */
export interface PlaceholderRecord {
  /** Client name as written (NFC). */
  name: string;
  /** Encoded remote folder path and remote name, for materialising it. */
  remoteDir: string;
  remoteName: string;
  created: number;
  modified: number;
  /** Epoch ms after which it becomes a real empty file. */
  dueAt: number;
}

const INDEX = 'ph:index';

export class Placeholders {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly graceMs: number,
    /** Uploads the real empty file; called at most once per placeholder per instance. */
    private readonly materialise: (dirKey: string, record: PlaceholderRecord) => Promise<void>,
    /** The clock deadlines are set and checked by (a spec moves it instead of waiting). */
    readonly now: () => number,
  ) {}

  get grace(): number {
    return this.graceMs;
  }

  /** Placeholders in the folder with folded client path `dirKey`, keyed by folded name. */
  async inFolder(dirKey: string): Promise<Record<string, PlaceholderRecord>> {
    return (await this.store.get<Record<string, PlaceholderRecord>>(`ph:${dirKey}`)) ?? {};
  }

  async add(dirKey: string, nameKey: string, record: PlaceholderRecord): Promise<void> {
    const folder = await this.inFolder(dirKey);
    folder[nameKey] = record;
    await this.store.set(`ph:${dirKey}`, folder);
    const index = (await this.store.get<string[]>(INDEX)) ?? [];
    if (!index.includes(dirKey)) await this.store.set(INDEX, [...index, dirKey]);
    this.schedule(dirKey, nameKey, record.dueAt);
  }

  async update(dirKey: string, nameKey: string, patch: Partial<PlaceholderRecord>): Promise<void> {
    const folder = await this.inFolder(dirKey);
    const record = folder[nameKey];
    if (!record) return;
    folder[nameKey] = { ...record, ...patch };
    await this.store.set(`ph:${dirKey}`, folder);
  }

  /** true when a placeholder was removed (content arrived, or it was deleted or moved). */
  async remove(dirKey: string, nameKey: string): Promise<boolean> {
    const timer = this.timers.get(`${dirKey}\n${nameKey}`);
    if (timer) clearTimeout(timer);
    this.timers.delete(`${dirKey}\n${nameKey}`);
    const folder = await this.inFolder(dirKey);
    if (!(nameKey in folder)) return false;
    delete folder[nameKey];
    if (Object.keys(folder).length > 0) {
      await this.store.set(`ph:${dirKey}`, folder);
    } else {
      await this.store.delete(`ph:${dirKey}`);
      const index = (await this.store.get<string[]>(INDEX)) ?? [];
      await this.store.set(INDEX, index.filter((k) => k !== dirKey));
    }
    return true;
  }

  /** Folder keys that hold placeholders. */
  async folders(): Promise<string[]> {
    return (await this.store.get<string[]>(INDEX)) ?? [];
  }

  /** Materialises every placeholder in `dirKey` that is due (or all with `force`). */
  async flushFolder(dirKey: string, force = false): Promise<void> {
    const now = this.now();
    for (const [nameKey, record] of Object.entries(await this.inFolder(dirKey))) {
      if (force || record.dueAt <= now) await this.flushOne(dirKey, nameKey, record);
    }
  }

  /** Materialises every placeholder the store knows about (shutdown). */
  async flushAll(): Promise<void> {
    for (const dirKey of await this.folders()) await this.flushFolder(dirKey, true);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async flushOne(dirKey: string, nameKey: string, record: PlaceholderRecord): Promise<void> {
    // A short lease so that two instances do not both upload the same empty file.
    const lease = `ph-lease:${dirKey}\n${nameKey}`;
    if (!(await this.store.setIfAbsent(lease, 1, 30_000))) return;
    try {
      const current = (await this.inFolder(dirKey))[nameKey];
      if (!current || current.created !== record.created) return;
      await this.materialise(dirKey, current);
      await this.remove(dirKey, nameKey);
    } finally {
      await this.store.delete(lease);
    }
  }

  private async due(dirKey: string, nameKey: string): Promise<void> {
    const record = (await this.inFolder(dirKey))[nameKey];
    if (!record) return;
    // Timers may fire a little before the clock reaches dueAt (monotonic vs wall clock): wait again.
    if (record.dueAt > this.now()) this.schedule(dirKey, nameKey, record.dueAt);
    else await this.flushOne(dirKey, nameKey, record);
  }

  private schedule(dirKey: string, nameKey: string, dueAt: number): void {
    const id = `${dirKey}\n${nameKey}`;
    const old = this.timers.get(id);
    if (old) clearTimeout(old);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.due(dirKey, nameKey).catch(() => undefined); // retried by the next listing or close()
    }, Math.max(0, dueAt - this.now()));
    timer.unref();
    this.timers.set(id, timer);
  }
}
