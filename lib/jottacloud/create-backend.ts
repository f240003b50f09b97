/**
 * Composition of the Jottacloud pieces: token store → token manager → client → account → backend.
 */
import type { KeyValueStore } from '../store/key-value-store.js';
import type { RetryPolicy } from '../util/retry.js';
import { JottacloudAccount } from './account.js';
import { loginWithToken, TokenManager, type FetchLike, type TokenManagerOptions, type TokenSource } from './auth.js';
import { JottacloudBackend } from './backend.js';
import { JottacloudClient } from './client.js';
import type { Endpoints } from './endpoints.js';
import { JottaConfigError } from './errors.js';
import { KeyValueTokenStore, type TokenStore } from './token-store.js';
import type { UploadOptions } from './upload.js';

export interface CreateJottacloudClientOptions {
  /** A ready token source; otherwise one is built over `tokenStore` / `store`. */
  tokenSource?: TokenSource;
  /**
   * A personal login token (single use). Exchanged only when the token store is empty or
   * `forceLogin` is set; otherwise the stored session is reused.
   */
  loginToken?: string;
  forceLogin?: boolean;
  /** Where tokens persist; default: `store` under the key `tokenKey`. */
  tokenStore?: TokenStore;
  store?: KeyValueStore;
  tokenKey?: string;
  endpoints?: Partial<Endpoints>;
  retry?: RetryPolicy;
  /** Wait for response headers at most this long. Default 120 s. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Token refresh tuning (margins, lease timing). */
  auth?: Omit<TokenManagerOptions, 'store' | 'fetch' | 'retry'>;
  username?: string;
  upload?: UploadOptions;
}

export interface CreateJottacloudBackendOptions extends CreateJottacloudClientOptions {
  /** The device and mount point served (an account's `device` and `mountPoint`). */
  device: string;
  mountPoint: string;
  hardDelete?: boolean;
}

export async function createJottacloudClient(options: CreateJottacloudClientOptions): Promise<JottacloudClient> {
  let tokens = options.tokenSource;
  if (!tokens) {
    const tokenStore = options.tokenStore ?? (options.store ? new KeyValueTokenStore(options.store, options.tokenKey) : undefined);
    if (!tokenStore) throw new JottaConfigError('createJottacloudBackend: give a tokenSource, a tokenStore or a store');
    if (options.loginToken !== undefined && (options.forceLogin || !(await tokenStore.load()))) {
      await loginWithToken(options.loginToken, tokenStore, { fetch: options.fetch, retry: options.retry });
    }
    tokens = new TokenManager({ ...options.auth, store: tokenStore, fetch: options.fetch, retry: options.retry });
  }
  return new JottacloudClient({
    tokens,
    endpoints: options.endpoints,
    fetch: options.fetch,
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    username: options.username,
    upload: options.upload,
  });
}

export async function createJottacloudBackend(options: CreateJottacloudBackendOptions): Promise<JottacloudBackend> {
  const client = await createJottacloudClient(options);
  return new JottacloudBackend({
    client,
    device: options.device,
    mountPoint: options.mountPoint,
    hardDelete: options.hardDelete,
    onClose: () => client.http.tokens.close(),
  });
}

/** The account over one client, whose backends (one per mount point) all share that client. */
export async function createJottacloudAccount(options: CreateJottacloudClientOptions & { hardDelete?: boolean }): Promise<JottacloudAccount> {
  return new JottacloudAccount(await createJottacloudClient(options), { hardDelete: options.hardDelete });
}
