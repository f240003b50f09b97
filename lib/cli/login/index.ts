/**
 * `jottadav login`: the interactive setup, modelled on rclone's Jottacloud wizard. This file is
 * the command itself: the order of the steps and the exit codes. The steps live beside it:
 *   flags.ts     flags and help (every question has a flag, so scripts can run it unattended)
 *   service.ts   which service: Jottacloud or a white-label one
 *   exchange.ts  the OAuth token: reuse the saved one, or exchange a personal login token
 *   account.ts   list the account; pick the device and mount point (default Jotta/Archive)
 *   config.ts    show the account entry, then write it and a WebDAV user (dav-user.ts)
 *                into the config (0600)
 *   prompts.ts   the rclone-style questions; errors.ts: failures the user can act on
 *
 * The login token is single use: once exchanged, the resulting token is saved at once, before
 * any further question, so that a later mistake never costs the user a new login token. A rerun
 * reuses a saved token file instead of asking for a new login token.
 */
import { dirname, join, resolve } from 'node:path';
import nodeFetch from 'node-fetch';
import { accountTokenStore } from '../../account-storage.js';
import { defaultConfigFile } from '../../config/index.js';
import { ACCOUNT_DEFAULTS } from '../../config/structured.js';
import { FileTokenStore, type FetchLike } from '../../jottacloud/index.js';
import { createStore } from '../../store/create-store.js';
import { chooseLocation, listAccount } from './account.js';
import { readConfigToUpdate, saveAccount } from './config.js';
import { LoginError } from './errors.js';
import { obtainToken, rewritingFetch } from './exchange.js';
import { endpointOverrides, LOGIN_COMMAND, type LoginFlags } from './flags.js';
import { runCommand } from '../command.js';
import { chooseService } from './service.js';
import { PromptCancelled, Terminal, type TerminalIo } from '../terminal.js';

// Kept importable from here, where it lived before the wizard was split into files.
export { explainLoginError } from './exchange.js';

export interface LoginDeps {
  io: TerminalIo;
  /** For specs; default node-fetch. */
  fetch?: FetchLike;
}

export async function run(argv: string[]): Promise<number> {
  return runLogin(argv, { io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr } });
}

/**
 * Exit codes: 0 done (also when the user chose not to write the config), 1 a failure the user
 * can act on or piped answers that ran out, 2 a bad flag, 130 cancelled at a terminal.
 */
export async function runLogin(argv: string[], deps: LoginDeps): Promise<number> {
  const { io } = deps;
  return runCommand(
    LOGIN_COMMAND,
    argv,
    async ({ values: flags }) => {
      const term = new Terminal(io.stdin, io.stderr);
      try {
        await wizard(flags, term, deps);
        return 0;
      } catch (error) {
        // Piped input that ran out is a script missing an answer, not a person pressing Ctrl-C.
        if (error instanceof PromptCancelled && !term.interactive) {
          throw new LoginError('stdin ended before every question was answered; answer them with flags (see --help), and --yes for the defaults');
        }
        throw error;
      } finally {
        term.close();
      }
    },
    io,
  );
}

async function wizard(flags: LoginFlags, term: Terminal, deps: LoginDeps): Promise<void> {
  const configFile = resolve(flags.config ?? defaultConfigFile());
  const accountName = flags.account ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(accountName)) throw new LoginError(`--account '${accountName}': use letters, digits, . _ - (up to 64)`);
  const raw = await readConfigToUpdate(configFile);
  const tokenFile = resolve(flags['token-file'] ?? join(dirname(configFile), `${accountName}.token.json`));
  const store = new FileTokenStore(tokenFile);
  const doFetch = rewritingFetch(deps.fetch ?? (nodeFetch as unknown as FetchLike), flags['well-known']);

  const service = await chooseService(flags, term);
  await obtainToken(flags, term, service, { store, tokenFile, configFile, fetch: doFetch });

  const endpoints = endpointOverrides(flags);
  // With a Redis store the session lives there, as serve uses it: a reused token file may hold a
  // refresh token the instances have spent long ago, and presenting it would end the session.
  const redis = typeof raw.store === 'string' && /^rediss?:\/\//.test(raw.store) ? createStore({ kind: 'redis', url: raw.store }) : undefined;
  let device: string = ACCOUNT_DEFAULTS.device;
  let mountPoint: string = ACCOUNT_DEFAULTS.mountPoint;
  const allDevices = flags['all-devices'] === true;
  let listed;
  try {
    listed = await listAccount(redis ? accountTokenStore(accountName, tokenFile, redis, true) : store, doFetch, flags);
    if (!allDevices) ({ device, mountPoint } = await chooseLocation(flags, term, listed));
  } finally {
    await redis?.close();
  }

  await saveAccount(flags, term, configFile, raw, {
    accountName,
    service,
    userName: listed.described.user,
    tokenFile,
    device,
    mountPoint,
    allDevices,
    endpoints,
    wellKnown: flags['well-known'],
  });
}
