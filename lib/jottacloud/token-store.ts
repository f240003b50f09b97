/**
 * Where OAuth tokens persist. Refresh tokens rotate: every refresh invalidates the presented
 * token, and presenting it again revokes the whole session. So the
 * newest token must be saved before it is used, and processes sharing a store coordinate their
 * refreshes through a lease.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { KeyValueStore } from '../store/key-value-store.js';

export interface StoredToken {
  accessToken: string;
  refreshToken?: string;
  tokenType: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  /** What the access token was issued for, seconds; sizes the early-refresh margin. */
  lifetimeSeconds: number;
  tokenEndpoint: string;
  clientId: string;
  /** Counts refreshes; lets a reader see that the stored token is newer than the one it holds. */
  generation: number;
  /**
   * Epoch ms of the `jottadav login` this token descends from; refreshes carry it on. A token of
   * a later login wins over any refresh of an earlier one, whatever their generations.
   */
  loginAt?: number;
}

/** true when `a` should replace `b`: a later login, else more refreshes of the same login. */
export function isNewerToken(a: StoredToken, b: StoredToken): boolean {
  const loginA = a.loginAt ?? 0;
  const loginB = b.loginAt ?? 0;
  if (loginA !== loginB) return loginA > loginB;
  return a.generation > b.generation;
}

export interface TokenStore {
  load(): Promise<StoredToken | undefined>;
  save(token: StoredToken): Promise<void>;
  /** true when `owner` now holds the refresh lease (until release or `ttlMs`). */
  acquireLease(owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(owner: string): Promise<void>;
}

function isStoredToken(value: unknown): value is StoredToken {
  const t = value as Partial<StoredToken> | null;
  return !!t && typeof t === 'object' && typeof t.accessToken === 'string' && typeof t.expiresAt === 'number' && typeof t.tokenEndpoint === 'string';
}

/** Tokens in the shared KeyValueStore; the lease is the store's atomic setIfAbsent. */
export class KeyValueTokenStore implements TokenStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly key = 'jottacloud:token',
  ) {}

  async load(): Promise<StoredToken | undefined> {
    const value = await this.store.get<unknown>(this.key);
    return isStoredToken(value) ? value : undefined;
  }

  async save(token: StoredToken): Promise<void> {
    await this.store.set(this.key, token);
  }

  acquireLease(owner: string, ttlMs: number): Promise<boolean> {
    return this.store.setIfAbsent(`${this.key}:lease`, owner, ttlMs);
  }

  async releaseLease(owner: string): Promise<void> {
    // Not atomic, but the lease TTL bounds the harm: at worst another holder's lease ends early
    // after ours had already expired.
    if ((await this.store.get<string>(`${this.key}:lease`)) === owner) await this.store.delete(`${this.key}:lease`);
  }
}

/**
 * The token of an account served by several processes: the shared store (Redis) is the one
 * source of truth, and every refresh is saved there only. The token file is where `jottadav
 * login` hands a new login over: its token replaces the shared one when it comes from a later
 * login (also when the shared one was revoked), and is ignored otherwise, because after the
 * first refresh its refresh token is spent and presenting it would revoke the session. The file
 * is read on every load, which happens only around refreshes, so a fresh login reaches running
 * instances at their next refresh or 401.
 */
export class SharedTokenStore implements TokenStore {
  constructor(
    private readonly shared: KeyValueTokenStore,
    private readonly login: FileTokenStore,
  ) {}

  async load(): Promise<StoredToken | undefined> {
    const [current, handedOver] = await Promise.all([this.shared.load(), this.login.load().catch(() => undefined)]);
    if (handedOver && (!current || (handedOver.loginAt ?? 0) > (current.loginAt ?? 0))) {
      await this.shared.save(handedOver);
      return handedOver;
    }
    return current;
  }

  save(token: StoredToken): Promise<void> {
    return this.shared.save(token);
  }

  acquireLease(owner: string, ttlMs: number): Promise<boolean> {
    return this.shared.acquireLease(owner, ttlMs);
  }

  releaseLease(owner: string): Promise<void> {
    return this.shared.releaseLease(owner);
  }
}

/**
 * Tokens in a JSON file, written atomically (temp file + rename) with mode 0600. The lease is a
 * lock file created with O_EXCL, which is atomic across processes on one machine.
 */
export class FileTokenStore implements TokenStore {
  constructor(readonly file: string) {}

  async load(): Promise<StoredToken | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const value = JSON.parse(text) as unknown;
      return isStoredToken(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async save(token: StoredToken): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(token, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(temp, 0o600); // the umask may have narrowed it further, never widened; be explicit
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  private get lockFile(): string {
    return `${this.file}.lock`;
  }

  async acquireLease(owner: string, ttlMs: number): Promise<boolean> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    for (let tries = 0; tries < 2; tries++) {
      try {
        const handle = await open(this.lockFile, 'wx', 0o600);
        try {
          await handle.writeFile(JSON.stringify({ owner, expiresAt: Date.now() + ttlMs }));
        } finally {
          await handle.close();
        }
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!(await this.lockIsStale())) return false;
        await unlink(this.lockFile).catch(() => undefined);
      }
    }
    return false;
  }

  private async lockIsStale(): Promise<boolean> {
    try {
      const lock = JSON.parse(await readFile(this.lockFile, 'utf8')) as { expiresAt?: number };
      return typeof lock.expiresAt !== 'number' || lock.expiresAt <= Date.now();
    } catch {
      // Unreadable (half-written by a crashed holder): stale once it is old enough.
      try {
        return Date.now() - (await stat(this.lockFile)).mtimeMs > 60_000;
      } catch {
        return true;
      }
    }
  }

  async releaseLease(owner: string): Promise<void> {
    try {
      const lock = JSON.parse(await readFile(this.lockFile, 'utf8')) as { owner?: string };
      if (lock.owner === owner) await unlink(this.lockFile);
    } catch {
      // already gone
    }
  }
}
