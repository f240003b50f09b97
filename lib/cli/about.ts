/**
 * `jottadav about`: usage and quota of the configured account, like `rclone about remote:`.
 * Also home of openAccount(), which cleanup and link share: config → token store → client, with
 * the token store serve uses (the shared one in Redis mode), so a command never presents a
 * refresh token another process has already spent.
 */
import type { ParseArgsConfig } from 'node:util';
import nodeFetch from 'node-fetch';
import { accountTokenStore, sharesTokens } from '../app.js';
import { createStore } from '../store/create-store.js';
import { accountOf, defaultConfigFile, endpointOverridesOf, formatProblems, formatSize, loadConfig, storeSpecOf, type AccountConfig } from '../config/index.js';
import {
  FileTokenStore,
  JottacloudClient,
  JottaAuthError,
  JottaHttpError,
  JottaNetworkError,
  SERVICES,
  TokenManager,
  type FetchLike,
} from '../jottacloud/index.js';
import { CommandError, runCommand } from './command.js';

export const ACCOUNT_OPTIONS = {
  config: { type: 'string' },
  account: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const ACCOUNT_HELP = `  --config FILE   the config (default: $JOTTADAV_CONFIG, else ~/.config/jottadav/config.json)
  --account NAME  which account, when the config has several
  --json          machine-readable output
  -h, --help      show this help`;

export interface OpenAccount {
  name: string;
  account: AccountConfig;
  /** names.encoding: how the account's names are stored. */
  nameEncoding: string;
  client: JottacloudClient;
  close(): Promise<void>;
}

/**
 * Loads the config (only the account part has to be valid: a fresh `jottadav login` has no
 * users yet) and builds a client over the account's token store, as serve does.
 */
export function openAccount(values: { config?: string; account?: string }, fetch?: FetchLike): OpenAccount {
  const file = values.config ?? defaultConfigFile();
  const loaded = loadConfig({ file, services: SERVICES.map((s) => s.key) });
  const fileProblems = loaded.problems.filter((p) => p.severity === 'error' && p.path === '(file)');
  // Without a readable file, "no account" is only an echo of that.
  const relevant = fileProblems.length > 0 ? fileProblems : loaded.problems.filter((p) => p.severity === 'error' && p.path.startsWith('accounts'));
  if (relevant.length > 0) throw new CommandError(`the config has problems:\n${formatProblems(relevant)}`);
  let picked: { name: string; account: AccountConfig };
  try {
    picked = accountOf(loaded.config, values.account);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  const { account } = picked;
  const endpoints = endpointOverridesOf(account);
  const doFetch = fetch ?? (nodeFetch as unknown as FetchLike);
  // The shared store is opened only when the token lives there; a file token needs none.
  const shared = sharesTokens(loaded.config) ? createStore(storeSpecOf(loaded.config)) : undefined;
  const tokenStore = shared ? accountTokenStore(picked.name, account.tokenFile, shared, true) : new FileTokenStore(account.tokenFile);
  const tokens = new TokenManager({ store: tokenStore, fetch: doFetch });
  const client = new JottacloudClient({ tokens, endpoints, fetch: doFetch });
  return {
    ...picked,
    nameEncoding: loaded.config.names.encoding,
    client,
    async close() {
      tokens.close();
      await shared?.close();
    },
  };
}

/** Jottacloud failures in words a user can act on. */
export function explainAccountFailure(error: unknown): string {
  if (error instanceof JottaAuthError) {
    return error.error === 'not_logged_in' ? 'not logged in: run jottadav login' : `the login is no longer valid (${error.error}${error.description ? `: ${error.description}` : ''}); run jottadav login with a new login token`;
  }
  const code = (error as { code?: unknown; type?: unknown } | null)?.code;
  if (error instanceof JottaNetworkError || (error as { type?: unknown } | null)?.type === 'system' || (typeof code === 'string' && /^E[A-Z]+$/.test(code))) {
    return `Jottacloud is unreachable: ${(error as Error).message}`;
  }
  if (error instanceof JottaHttpError) return `Jottacloud answered ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

const HELP = `Usage: jottadav about [--config FILE] [--account NAME] [--json]

Shows the account's usage and quota (as rclone about does).

${ACCOUNT_HELP}`;

export async function run(argv: string[], fetch?: FetchLike): Promise<number> {
  return runCommand({ name: 'about', help: HELP, options: ACCOUNT_OPTIONS, explain: explainAccountFailure }, argv, async ({ values, result }) => {
    const opened = openAccount({ config: values.config, account: values.account }, fetch);
    try {
      const [user, customer] = await Promise.all([opened.client.user(), opened.client.customer()]);
      const used = user.usage ?? customer.usage ?? 0;
      const capacity = user.capacity ?? customer.quota;
      // capacity -1 (or absent) = unlimited: total and free are left out, as rclone does.
      const limited = typeof capacity === 'number' && capacity > 0;
      const report = {
        account: opened.name,
        user: customer.email ?? user.username,
        accountType: user.accountType ?? customer.account_type ?? null,
        used,
        total: limited ? capacity : null,
        free: limited ? Math.max(0, capacity - used) : null,
        unlimited: !limited,
        devices: user.devices.map((d) => d.name),
      };
      const human = (n: number) => `${formatSize(n)} (${n} bytes)`;
      const lines = [
        `Account: ${report.account} (${report.user}${report.accountType ? `, ${report.accountType}` : ''})`,
        `Total:   ${report.total !== null ? human(report.total) : 'unlimited'}`,
        `Used:    ${human(used)}`,
        ...(report.free !== null ? [`Free:    ${human(report.free)}`] : []),
        `Devices: ${report.devices.join(', ') || '(none)'}`,
      ];
      result(report, lines.join('\n'));
      return 0;
    } finally {
      await opened.close();
    }
  });
}
