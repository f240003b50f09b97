/**
 * The one way from the config to an account's storage, for serve (app.ts) and the account
 * commands (cli/account.ts) alike: the account's token source, its one client, and through it
 * the backend of each mount point. Whatever fails below comes out as a StorageError.
 */
import { endpointOverridesOf, storeSpecOf, type AccountConfig, type JottadavConfig } from './config/index.js';
import { createJottacloudAccount, FileTokenStore, KeyValueTokenStore, SharedTokenStore, type JottacloudAccount, type TokenStore } from './jottacloud/index.js';
import type { KeyValueStore } from './store/key-value-store.js';

/**
 * Where an account's OAuth token lives, for serve, the account commands and login alike. Several
 * instances sharing one account over Redis must share its rotating refresh token too: a token
 * file per machine would have them rotate it behind each other's backs, and presenting a spent
 * refresh token revokes the whole session. So with Redis the token lives in the shared store,
 * and the file only hands over what `jottadav login` wrote (SharedTokenStore).
 */
export function accountTokenStore(name: string, tokenFile: string, store: KeyValueStore, shared: boolean): TokenStore {
  const file = new FileTokenStore(tokenFile);
  return shared ? new SharedTokenStore(new KeyValueTokenStore(store, `jottacloud:token:${name}`), file) : file;
}

/** Only a Redis store is shared between processes, and with it the token. */
export function sharesTokens(config: JottadavConfig): boolean {
  return storeSpecOf(config).kind === 'redis';
}

/**
 * The account's storage over its token source. `store` is the config's store: it must be given
 * when it holds the token (Redis), and is left alone otherwise. `tokenStore` replaces the choice
 * (specs).
 */
export async function openAccountStorage(name: string, account: AccountConfig, config: JottadavConfig, store: KeyValueStore | undefined, tokenStore?: TokenStore): Promise<JottacloudAccount> {
  let tokens = tokenStore;
  if (!tokens && sharesTokens(config)) {
    if (!store) throw new Error(`account '${name}': its token lives in the shared store, which was not opened`);
    tokens = accountTokenStore(name, account.tokenFile, store, true);
  }
  return createJottacloudAccount({ tokenStore: tokens ?? new FileTokenStore(account.tokenFile), endpoints: endpointOverridesOf(account), hardDelete: config.hardDelete });
}
