import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ClientAddress } from './client-address.js';
import { header } from './request.js';

/**
 * Basic authentication (RFC 7617) against scrypt password hashes, with a throttle on failures
 * per client address and user name. Hash format: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`.
 */

export interface DavUser {
  name: string;
  passwordHash: string;
  readOnly?: boolean;
}

export interface AuthOptions {
  users?: DavUser[];
  realm: string;
  /**
   * Requests without credentials are served as the anonymous user. Requests with credentials
   * are still checked: the right ones are that user, wrong ones get 401. Never implicit.
   * `readOnly`: anonymous requests may only read.
   */
  anonymous?: { readOnly: boolean };
  /**
   * Reverse proxies (addresses or CIDR subnets) whose X-Forwarded-For names the client; from
   * any other peer the header is ignored, since anyone can send it.
   */
  trustedProxies?: readonly string[];
  /** Checks a password against a stored hash; default verifyPassword (scrypt). */
  verify?: (password: string, hash: string) => Promise<boolean>;
}

const DEFAULT_COST = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...cost, maxmem: 256 * cost.N * cost.r });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** false for a wrong password or an unreadable hash; never throws. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] as string, 'base64');
  const expected = Buffer.from(parts[5] as string, 'base64');
  if (expected.length === 0) return false;
  try {
    const actual = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** RFC 7617: base64 of UTF-8 `user:password`, split on the FIRST colon (passwords may hold ':'). */
export function parseBasic(authorization: string | undefined): { user: string; password: string } | undefined {
  if (!authorization) return undefined;
  const m = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon).normalize('NFC'), password: decoded.slice(colon + 1) };
}

export type AuthResult =
  | { ok: true; user: string | undefined; readOnly: boolean }
  | { ok: false; status: 401 | 429; retryAfterSeconds?: number };

const FAILURE_WINDOW_MS = 60_000;
const FAILURES_BEFORE_BLOCK = 10;
const BLOCK_MS = 60_000;
const TRACKED_CLIENTS = 10_000;
const VERIFIED_CACHE = 1_000;

interface Failures {
  count: number;
  firstAt: number;
  blockedUntil: number;
}

export class Authenticator {
  readonly realm: string;
  private readonly users = new Map<string, DavUser>();
  private readonly anonymous: { readOnly: boolean } | undefined;
  private readonly clients: ClientAddress;
  /**
   * Failures per (client address, user name): an attacker guessing one name blocks only that
   * name from that address, never the other users behind the same NAT or proxy.
   */
  private readonly failures = new Map<string, Failures>();
  /**
   * sha256(Authorization header) → user, for headers already verified: clients send the same
   * header on every request and a scrypt per request would cap throughput at ~20 requests/s.
   */
  private readonly verified = new Map<string, string>();
  /**
   * Checks under way, by the same key: clients open several connections at once with the same
   * header (200 load clients, Finder's parallel requests), and each would start its own scrypt on
   * libuv's four threads, queueing every file operation of the server behind them for seconds.
   */
  private readonly checking = new Map<string, Promise<boolean>>();
  private readonly verify: (password: string, hash: string) => Promise<boolean>;

  constructor(options: AuthOptions) {
    this.anonymous = options.anonymous;
    this.realm = options.realm;
    for (const u of options.users ?? []) this.users.set(u.name.normalize('NFC'), u);
    this.clients = new ClientAddress(options.trustedProxies ?? []);
    this.verify = options.verify ?? verifyPassword;
    if (!this.anonymous && this.users.size === 0) {
      // Refusing to start beats silently serving an account to anyone.
      throw new Error('auth: configure users, or anonymous access explicitly');
    }
  }

  challenge(): string {
    return `Basic realm="${this.realm.replace(/["\\]/g, '')}", charset="UTF-8"`;
  }

  async authenticate(req: IncomingMessage): Promise<AuthResult> {
    const authorization = header(req, 'authorization');
    if (authorization === undefined && this.anonymous) return { ok: true, user: undefined, readOnly: this.anonymous.readOnly };
    const credentials = parseBasic(authorization);
    if (!credentials) return { ok: false, status: 401 };
    const throttleKey = `${this.clients.of(req)}\n${credentials.user}`;
    const now = Date.now();
    const record = this.failures.get(throttleKey);
    if (record && record.blockedUntil > now) return { ok: false, status: 429, retryAfterSeconds: Math.ceil((record.blockedUntil - now) / 1000) };
    const cacheKey = createHash('sha256').update(authorization as string).digest('hex');
    const cached = this.verified.get(cacheKey);
    const known = cached !== undefined ? this.users.get(cached) : undefined;
    if (known) return { ok: true, user: known.name, readOnly: known.readOnly === true };
    const user = this.lookup(credentials.user);
    let check = this.checking.get(cacheKey);
    if (!check) {
      // Unknown users cost a scrypt too, so response time does not reveal which names exist.
      check = user !== undefined ? this.verify(credentials.password, user.passwordHash) : this.burn(credentials.password);
      this.checking.set(cacheKey, check);
      const forget = () => this.checking.delete(cacheKey);
      check.then(forget, forget);
    }
    const ok = await check;
    if (!ok || !user) {
      this.recordFailure(throttleKey, now);
      return { ok: false, status: 401 };
    }
    this.failures.delete(throttleKey);
    if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(cacheKey, user.name);
    return { ok: true, user: user.name, readOnly: user.readOnly === true };
  }

  private dummyHash: Promise<string> | undefined;

  private async burn(password: string): Promise<false> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await this.verify(password, await this.dummyHash);
    return false;
  }

  private lookup(name: string): DavUser | undefined {
    // Windows may send DOMAIN\user.
    return this.users.get(name) ?? (name.includes('\\') ? this.users.get(name.slice(name.lastIndexOf('\\') + 1)) : undefined);
  }

  private recordFailure(key: string, now: number): void {
    let record = this.failures.get(key);
    if (!record || now - record.firstAt > FAILURE_WINDOW_MS) record = { count: 0, firstAt: now, blockedUntil: 0 };
    record.count++;
    if (record.count >= FAILURES_BEFORE_BLOCK) record.blockedUntil = now + BLOCK_MS;
    this.failures.delete(key);
    this.failures.set(key, record);
    if (this.failures.size > TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value as string);
  }
}
