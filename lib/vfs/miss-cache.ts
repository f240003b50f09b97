/**
 * Names recently found absent upstream, per process, for a short time. A cached listing is only a
 * hint: a name it lacks is looked up remotely (another client may have created it since), and this
 * keeps a client that probes the same absent name again and again (Office's lock files, a PROPFIND
 * before every PUT) from paying one remote lookup per probe. It never hides a change made through
 * this bridge: writes update the cached listing, which is consulted first.
 */
const MAX_ENTRIES = 10_000;

export class MissCache {
  private readonly misses = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  /** true while `key` was found absent less than the TTL ago. */
  has(key: string): boolean {
    const until = this.misses.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.misses.delete(key);
    return false;
  }

  add(key: string): void {
    if (this.ttlMs <= 0) return;
    this.misses.delete(key);
    this.misses.set(key, Date.now() + this.ttlMs);
    // Map keeps insertion order: the first key is the oldest miss.
    if (this.misses.size > MAX_ENTRIES) this.misses.delete(this.misses.keys().next().value!);
  }

  delete(key: string): void {
    this.misses.delete(key);
  }
}
