/**
 * What the account commands (about, cleanup, link) share: the flags that pick the config and the
 * account; the account's storage, opened as serve opens it (openAccountStorage: the same token
 * source, the shared one in Redis mode, so a command never presents a refresh token another
 * process has already spent); and one way to put a storage failure into words. Failures reach
 * here as StorageErrors, translated from Jottacloud's vocabulary where serve's are.
 */
import type { ParseArgsConfig } from 'node:util';
import { openAccountStorage, sharesTokens } from '../account-storage.js';
import { accountOf, defaultConfigFile, formatProblems, loadConfig, storeSpecOf, type AccountConfig, type JottadavConfig } from '../config/index.js';
import { SERVICES, type JottacloudAccount } from '../jottacloud/index.js';
import type { StorageBackend } from '../storage/backend.js';
import { isStorageError } from '../storage/errors.js';
import { createStore } from '../store/create-store.js';
import { errorCodes } from '../util/retry.js';
import { CommandError, runCommand, type CommandRun, type CommandSpec } from './command.js';

export const ACCOUNT_OPTIONS = {
  config: { type: 'string' },
  account: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const ACCOUNT_HELP = `  --config FILE   the config (default: $JOTTADAV_CONFIG, else ~/.config/jottadav/config.json)
  --account NAME  which account, when the config has several
  --json          machine-readable output
  -h, --help      show this help`;

export interface OpenedAccount {
  name: string;
  account: AccountConfig;
  config: JottadavConfig;
  storage: JottacloudAccount;
  /** The backend of the account's device and mount point: the one serve's file system runs on. */
  backend: StorageBackend;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Runs an account command: its flags are ACCOUNT_OPTIONS and `spec.options`; `body` gets the
 * account opened, and it is closed after. A storage failure becomes one line, exit 1.
 */
export function runAccountCommand<O extends Options>(
  spec: Omit<CommandSpec<O>, 'options' | 'explain'> & { options?: O },
  argv: string[],
  body: (run: CommandRun<O & typeof ACCOUNT_OPTIONS>, opened: OpenedAccount) => Promise<number>,
): Promise<number> {
  const options = { ...ACCOUNT_OPTIONS, ...spec.options } as O & typeof ACCOUNT_OPTIONS;
  return runCommand({ ...spec, options, explain: explainStorageFailure } as CommandSpec<O & typeof ACCOUNT_OPTIONS>, argv, async (run) => {
    const values = run.values as { config?: string; account?: string };
    const { opened, close } = await openAccount(values.config, values.account);
    try {
      return await body(run, opened);
    } finally {
      await close();
    }
  });
}

/**
 * Loads the config (only the account part has to be valid: a fresh `jottadav login` has no users
 * yet) and opens the account's storage; the shared store only when the token lives there.
 */
async function openAccount(configFile: string | undefined, accountName: string | undefined): Promise<{ opened: OpenedAccount; close(): Promise<void> }> {
  const loaded = loadConfig({ file: configFile ?? defaultConfigFile(), services: SERVICES.map((s) => s.key) });
  const fileProblems = loaded.problems.filter((p) => p.severity === 'error' && p.path === '(file)');
  // Without a readable file, "no account" is only an echo of that.
  const relevant = fileProblems.length > 0 ? fileProblems : loaded.problems.filter((p) => p.severity === 'error' && p.path.startsWith('accounts'));
  if (relevant.length > 0) throw new CommandError(`the config has problems:\n${formatProblems(relevant)}`);
  let picked: { name: string; account: AccountConfig };
  try {
    picked = accountOf(loaded.config, accountName);
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  const { config } = loaded;
  // A file store belongs to the server that may be running now: it is not opened for a token it does not hold.
  const shared = sharesTokens(config) ? createStore(storeSpecOf(config)) : undefined;
  let storage: JottacloudAccount;
  try {
    storage = await openAccountStorage(picked.name, picked.account, config, shared);
  } catch (error) {
    await shared?.close();
    throw error;
  }
  const backend = storage.backend(picked.account.device, picked.account.mountPoint);
  return {
    opened: { ...picked, config, storage, backend },
    async close() {
      storage.close();
      await shared?.close();
    },
  };
}

/**
 * A storage failure in words a user can act on, ending in its codes as serve's log shows them
 * (`[AUTH_EXPIRED ← JOTTA_AUTH]`, see docs/errors.md): the codes stay when the words change.
 */
export function explainStorageFailure(error: unknown): string {
  if (!isStorageError(error)) return error instanceof Error ? error.message : String(error);
  const codes = ` [${errorCodes(error).join(' ← ')}]`;
  switch (error.code) {
    case 'AUTH_EXPIRED':
      return `the login is no longer valid; run jottadav login with a new login token (${error.message})${codes}`;
    case 'UNAVAILABLE':
      return `Jottacloud is unreachable or failing; try again later (${error.message})${codes}`;
    case 'PERMISSION_DENIED':
      return `Jottacloud refused: ${error.message}${codes}`;
    case 'QUOTA_EXCEEDED':
      return `the account is full: ${error.message}${codes}`;
    default:
      return `${error.message}${codes}`;
  }
}
