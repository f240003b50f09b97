/** Small lookups over a resolved config that several composers need. */
import type { AccountConfig, JottadavConfig, StoreSpec } from './types.js';

/** The `store` option as lib/store's createStore() takes it. */
export function storeSpecOf(config: JottadavConfig): StoreSpec {
  if (config.store === 'memory') return { kind: 'memory' };
  if (config.store === 'file') return { kind: 'file', dir: config.dataDir };
  return { kind: 'redis', url: config.store };
}

/**
 * The account `name`, or the only one when `name` is omitted. Throws an Error whose message is
 * meant for the user (the CLI prints it as is).
 */
export function accountOf(config: JottadavConfig, name?: string): { name: string; account: AccountConfig } {
  const names = Object.keys(config.accounts);
  if (name !== undefined) {
    const account = config.accounts[name];
    if (!account) throw new Error(`no account '${name}' in the config (accounts: ${names.join(', ') || 'none'})`);
    return { name, account };
  }
  if (names.length === 1) return { name: names[0] as string, account: config.accounts[names[0] as string] as AccountConfig };
  if (names.length === 0) throw new Error('the config has no account; run `jottadav login` first');
  throw new Error(`the config has several accounts (${names.join(', ')}); choose one with --account NAME`);
}

/** The base URLs an account overrides (the rest stay the real service's). */
export function endpointOverridesOf(account: AccountConfig): { jfs?: string; api?: string; www?: string } {
  const out: { jfs?: string; api?: string; www?: string } = {};
  if (account.endpoints.jfs) out.jfs = account.endpoints.jfs;
  if (account.endpoints.api) out.api = account.endpoints.api;
  if (account.endpoints.www) out.www = account.endpoints.www;
  return out;
}
