/**
 * OAuth for Jottacloud (docs/jottacloud-protocol.md "Tokens and login"): login-token exchange,
 * refresh before expiry and once on a 401, one refresh at a time per process (single flight)
 * and per store (a lease).
 *
 * Refresh tokens rotate with reuse detection: presenting a used one revokes the session.
 * Hence the rules here: the newest token is saved before it is used; before refreshing, the store
 * is re-read (another process may already have rotated it); a refresh is only re-sent when the
 * first attempt certainly never reached the server.
 */
import { randomUUID } from 'node:crypto';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import { DEFAULT_RETRY_POLICY, isConnectionError, isUnsentError, parseRetryAfter, sleep, withRetry, type RetryPolicy } from '../util/retry.js';
import { decodeHttpError, decodeOAuthError, JottaAuthError, JottaHttpError, JottaNetworkError, JottaProtocolError } from './errors.js';
import { decodeLoginToken } from './login-token.js';
import { isNewerToken, type StoredToken, type TokenStore } from './token-store.js';
import type { TokenResponse, WellKnown } from './wire-types.js';

/** The client id of the standard flow; shows as "Jottacloud CLI" in the user's devices. */
export const CLI_CLIENT_ID = 'jottacli';
export const CLI_SCOPE = 'openid offline_access';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Anything that can hand out a bearer token; the HTTP layer needs no more than this. */
export interface TokenSource {
  getAccessToken(): Promise<string>;
  /** The service rejected `rejected` with 401: return a different, fresh token (refreshing once). */
  handleUnauthorized(rejected: string): Promise<string>;
  /** Keeps the token fresh until the returned function is called (long uploads). */
  keepFresh(): () => void;
  close(): void;
}

export interface AuthOptions {
  fetch?: FetchLike;
  /** Retries for discovery and for refreshes that never reached the server. */
  retry?: RetryPolicy;
  now?: () => number;
}

export interface TokenManagerOptions extends AuthOptions {
  store: TokenStore;
  /** Refresh this long before expiry (capped at half the token's lifetime). Default 60 s. */
  refreshMarginMs?: number;
  /** How long a refresh lease is held at most. Default 30 s. */
  leaseTtlMs?: number;
  /** How long to wait for another process's refresh before giving up. Default 60 s. */
  leaseWaitMs?: number;
  leasePollMs?: number;
}

function form(fields: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(fields).sort()) params.append(key, fields[key]!);
  return params.toString(); // spaces become '+', as in the service's own form bodies
}

async function readText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch {
    return '';
  }
}

/** Refreshes and exchanges may be repeated only when the server surely did not process them. */
function unprocessedOnly(error: unknown): { retry: false } | { retry: true; afterMs?: number } {
  if (error instanceof JottaHttpError && (error.status === 429 || error.status === 503)) {
    return { retry: true, afterMs: error.retryAfterMs };
  }
  if (isUnsentError(error)) return { retry: true };
  return { retry: false };
}

async function postTokenEndpoint(endpoint: string, fields: Record<string, string>, options: AuthOptions): Promise<TokenResponse> {
  const doFetch = options.fetch ?? (fetch as FetchLike);
  return withRetry(
    async () => {
      let res: Response;
      try {
        res = await doFetch(endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body: form(fields),
        });
      } catch (error) {
        if (isUnsentError(error)) throw error;
        throw new JottaNetworkError(`token endpoint unreachable: ${(error as Error).message}`, { cause: error });
      }
      const body = await readText(res);
      if (res.status === 429 || res.status === 503) {
        throw decodeHttpError(res.status, res.statusText, body, undefined, parseRetryAfter(res.headers.get('retry-after')));
      }
      if (!res.ok) {
        const oauth = decodeOAuthError(body);
        throw new JottaAuthError(res.status, oauth?.error ?? `http_${res.status}`, oauth?.error_description ?? (body.slice(0, 200) || res.statusText));
      }
      let json: TokenResponse;
      try {
        json = JSON.parse(body) as TokenResponse;
      } catch {
        throw new JottaProtocolError('token endpoint answered with something other than JSON');
      }
      if (typeof json.access_token !== 'string' || json.access_token === '') throw new JottaProtocolError('token response without access_token');
      return json;
    },
    unprocessedOnly,
    options.retry ?? DEFAULT_RETRY_POLICY,
  ).catch((error: unknown) => {
    if (isUnsentError(error)) throw new JottaNetworkError(`token endpoint unreachable: ${(error as Error).message}`, { cause: error });
    throw error;
  });
}

/** OIDC discovery: the token endpoint named by the login token's well_known_link. */
export async function discover(wellKnownLink: string, options: AuthOptions = {}): Promise<WellKnown> {
  const doFetch = options.fetch ?? (fetch as FetchLike);
  return withRetry(
    async () => {
      const res = await doFetch(wellKnownLink, { headers: { Accept: 'application/json' } });
      const body = await readText(res);
      if (!res.ok) throw decodeHttpError(res.status, res.statusText, body, undefined, parseRetryAfter(res.headers.get('retry-after')));
      let json: Partial<WellKnown>;
      try {
        json = JSON.parse(body) as Partial<WellKnown>;
      } catch {
        throw new JottaProtocolError('OIDC discovery document is not JSON');
      }
      if (typeof json.token_endpoint !== 'string') throw new JottaProtocolError('OIDC discovery document has no token_endpoint');
      return json as WellKnown;
    },
    (error) => {
      if (error instanceof JottaHttpError && (error.status === 429 || error.status >= 500)) return { retry: true, afterMs: error.retryAfterMs };
      return isConnectionError(error) ? { retry: true } : { retry: false };
    },
    options.retry ?? DEFAULT_RETRY_POLICY,
  );
}

function toStored(res: TokenResponse, endpoint: string, clientId: string, generation: number, previous: StoredToken | undefined, now: number): StoredToken {
  const lifetime = typeof res.expires_in === 'number' && res.expires_in > 0 ? res.expires_in : 3600; // one hour, the usual
  return {
    accessToken: res.access_token,
    // A refresh answer without a new refresh token keeps the old one valid (plain OAuth).
    refreshToken: res.refresh_token ?? previous?.refreshToken,
    tokenType: res.token_type ?? 'bearer',
    expiresAt: now + lifetime * 1000,
    lifetimeSeconds: lifetime,
    tokenEndpoint: endpoint,
    clientId,
    generation,
    ...(previous?.loginAt !== undefined ? { loginAt: previous.loginAt } : {}),
  };
}

/**
 * The standard flow: decode the personal login token, discover the token endpoint,
 * exchange with the password grant, and save the result. The login token is single use.
 */
export async function loginWithToken(pasted: string, store: TokenStore, options: AuthOptions = {}): Promise<StoredToken> {
  const login = decodeLoginToken(pasted);
  const wellKnown = await discover(login.well_known_link, options);
  const res = await postTokenEndpoint(
    wellKnown.token_endpoint,
    { client_id: CLI_CLIENT_ID, grant_type: 'password', password: login.auth_token, scope: CLI_SCOPE, username: login.username },
    options,
  );
  const previous = await store.load();
  const now = (options.now ?? Date.now)();
  // loginAt marks a new session: it replaces one kept in a shared store, even a revoked one.
  const token = { ...toStored(res, wellKnown.token_endpoint, CLI_CLIENT_ID, (previous?.generation ?? 0) + 1, undefined, now), loginAt: Math.max(now, (previous?.loginAt ?? 0) + 1) };
  await store.save(token);
  return token;
}

function newest(a: StoredToken | undefined, b: StoredToken | undefined): StoredToken | undefined {
  if (!a) return b;
  if (!b) return a;
  return isNewerToken(b, a) ? b : a;
}

export class TokenManager implements TokenSource {
  private cached?: StoredToken;
  /** A rotated token the store refused to take; it is the only valid one, so it must not be lost. */
  private unsaved?: StoredToken;
  private inflight?: Promise<StoredToken>;
  private readonly now: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: TokenManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A token good for at least the refresh margin; refreshes first when needed. */
  async getAccessToken(): Promise<string> {
    if (this.unsaved) await this.saveUnsaved();
    if (this.cached && !this.expiring(this.cached)) return this.cached.accessToken;
    return (await this.refreshShared(undefined)).accessToken;
  }

  async handleUnauthorized(rejected: string): Promise<string> {
    // Someone in this process already replaced the rejected token: no second refresh.
    if (this.cached && this.cached.accessToken !== rejected && !this.expiring(this.cached)) return this.cached.accessToken;
    return (await this.refreshShared(rejected)).accessToken;
  }

  keepFresh(): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (stopped) return;
      const token = this.cached;
      const due = token ? token.expiresAt - this.margin(token) - this.now() : 0;
      timer = setTimeout(() => {
        if (timer) this.timers.delete(timer);
        // Failures surface on the next real call; the timer only keeps the token warm.
        this.getAccessToken().then(arm, arm);
      }, Math.max(250, due));
      timer.unref();
      this.timers.add(timer);
    };
    arm();
    return () => {
      stopped = true;
      if (timer) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
    };
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async saveUnsaved(): Promise<void> {
    const token = this.unsaved;
    if (!token) return;
    try {
      const stored = await this.options.store.load();
      if (!stored || isNewerToken(token, stored)) await this.options.store.save(token);
      if (this.unsaved === token) this.unsaved = undefined;
    } catch {
      // still unavailable; the token stays in memory
    }
  }

  private margin(token: StoredToken): number {
    return Math.min(this.options.refreshMarginMs ?? 60_000, (token.lifetimeSeconds * 1000) / 2);
  }

  private expiring(token: StoredToken): boolean {
    return this.now() >= token.expiresAt - this.margin(token);
  }

  private usable(token: StoredToken, rejected: string | undefined): boolean {
    return token.accessToken !== rejected && !this.expiring(token);
  }

  /** Single flight within this process: concurrent callers share one refresh. */
  private refreshShared(rejected: string | undefined): Promise<StoredToken> {
    if (!this.inflight) {
      this.inflight = this.refreshLeased(rejected).finally(() => {
        this.inflight = undefined;
      });
      return this.inflight;
    }
    // Join the running refresh; if it produced the very token that was rejected, go again.
    return this.inflight.then((token) => (rejected !== undefined && token.accessToken === rejected ? this.refreshShared(rejected) : token));
  }

  /** Across processes: re-read the store, take the lease, re-read again, then refresh. */
  private async refreshLeased(rejected: string | undefined): Promise<StoredToken> {
    const { store } = this.options;
    const owner = randomUUID();
    const deadline = this.now() + (this.options.leaseWaitMs ?? 60_000);
    for (;;) {
      if (this.unsaved) await this.saveUnsaved();
      const stored = newest(await store.load(), this.unsaved);
      if (!stored) throw new JottaAuthError(undefined, 'not_logged_in', 'no stored token; log in with a personal login token first');
      if (this.usable(stored, rejected)) return (this.cached = stored);
      if (await store.acquireLease(owner, this.options.leaseTtlMs ?? 30_000)) {
        try {
          const current = newest(await store.load(), this.unsaved) ?? stored;
          if (this.usable(current, rejected)) return (this.cached = current);
          return (this.cached = await this.refreshGrant(current));
        } finally {
          await store.releaseLease(owner).catch(() => undefined);
        }
      }
      if (this.now() > deadline) throw new JottaNetworkError('timed out waiting for another process to refresh the token');
      await sleep(this.options.leasePollMs ?? 50);
    }
  }

  private async refreshGrant(current: StoredToken): Promise<StoredToken> {
    if (!current.refreshToken) throw new JottaAuthError(undefined, 'no_refresh_token', 'the stored token cannot be refreshed; log in again');
    // Form client_id rather than Basic auth: other clients always do, and the service accepts it.
    const res = await postTokenEndpoint(
      current.tokenEndpoint,
      { client_id: current.clientId, grant_type: 'refresh_token', refresh_token: current.refreshToken },
      this.options,
    );
    const next = toStored(res, current.tokenEndpoint, current.clientId, current.generation + 1, current, this.now());
    // Saved before first use: the presented refresh token is dead now, only this one is valid.
    try {
      await this.options.store.save(next);
    } catch {
      // The presented refresh token is already dead: keep the new one in memory and keep trying
      // to persist it, rather than fail and later present the dead one again.
      this.unsaved = next;
    }
    return next;
  }
}
