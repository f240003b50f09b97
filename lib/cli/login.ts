/**
 * `jottadav login`: the interactive setup, modelled on rclone's Jottacloud wizard
 * (../shared/seed-rclone-jottacloud-docs.txt): choose the service, paste the personal login
 * token, exchange it, pick the device and mount point (default Jotta/Archive), write the token
 * file (0600) and the config. Every prompt has a flag, so scripts can run it unattended.
 *
 * The login token is single use: once exchanged, the resulting token is saved at once, before
 * any further question, so that a later mistake never costs the user a new login token. A rerun
 * reuses a saved token file instead of asking for a new login token.
 */
import { dirname, join, relative, resolve, sep } from 'node:path';
import nodeFetch from 'node-fetch';
import { defaultConfigFile, readRawConfig, writeConfigFile } from '../config/index.js';
import { hashPassword } from '../dav/auth.js';
import {
  DEFAULT_DEVICE,
  DEFAULT_MOUNT_POINT,
  FileTokenStore,
  type FetchLike,
} from '../jottacloud/index.js';
import { LoginError } from './login-errors.js';
import { endpointOverrides, parseLoginFlags, type LoginFlags } from './login-flags.js';
import { askSecret, confirm } from './login-prompts.js';
import { listAccount, chooseLocation } from './login-account.js';
import { obtainToken, rewritingFetch } from './login-exchange.js';
import { chooseService } from './login-service.js';
import { PromptCancelled, Terminal, type TerminalIo } from './terminal.js';

// Kept importable from here, where it lived before the wizard was split into files.
export { explainLoginError } from './login-exchange.js';

export interface LoginDeps {
  io: TerminalIo;
  /** For specs; default node-fetch. */
  fetch?: FetchLike;
}

export async function run(argv: string[]): Promise<number> {
  return runLogin(argv, { io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr } });
}

export async function runLogin(argv: string[], deps: LoginDeps): Promise<number> {
  const { io } = deps;
  const flags = parseLoginFlags(argv, io);
  if (typeof flags === 'number') return flags;
  const term = new Terminal(io.stdin, io.stderr);
  try {
    await wizard(flags, term, deps);
    return 0;
  } catch (error) {
    if (error instanceof PromptCancelled) {
      // Piped input that ran out is a script missing an answer, not a person pressing Ctrl-C.
      if (!term.interactive) {
        io.stderr.write('jottadav login: stdin ended before every question was answered; answer them with flags (see --help), and --yes for the defaults\n');
        return 1;
      }
      io.stderr.write('jottadav login: cancelled\n');
      return 130;
    }
    if (error instanceof LoginError) {
      io.stderr.write(`jottadav login: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    term.close();
  }
}

async function wizard(flags: LoginFlags, term: Terminal, deps: LoginDeps): Promise<void> {
  const configFile = resolve(flags.config ?? defaultConfigFile());
  const accountName = flags.account ?? 'default';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(accountName)) throw new LoginError(`--account '${accountName}': use letters, digits, . _ - (up to 64)`);
  let raw: Record<string, unknown>;
  try {
    raw = (await readRawConfig(configFile)) ?? {};
  } catch (error) {
    throw new LoginError((error as Error).message);
  }
  const tokenFile = resolve(flags['token-file'] ?? join(dirname(configFile), `${accountName}.token.json`));
  const store = new FileTokenStore(tokenFile);
  const doFetch = rewritingFetch(deps.fetch ?? (nodeFetch as unknown as FetchLike), flags['well-known']);

  const service = await chooseService(flags, term);
  await obtainToken(flags, term, service, { store, tokenFile, configFile, fetch: doFetch });

  const endpoints = endpointOverrides(flags);
  const { client, user, email } = await listAccount(store, doFetch, endpoints);

  let device = DEFAULT_DEVICE;
  let mountPoint = DEFAULT_MOUNT_POINT;
  const allDevices = flags['all-devices'] === true;
  if (!allDevices) ({ device, mountPoint } = await chooseLocation(flags, term, client, user));

  const entry: Record<string, unknown> = {
    tokenFile: portablePath(tokenFile, configFile),
    service: service.key,
    device,
    mountPoint,
    ...(allDevices ? { allDevices: true } : {}),
  };
  const endpointEntry = { ...endpoints, ...(flags['well-known'] ? { wellKnown: flags['well-known'] } : {}) };
  if (Object.keys(endpointEntry).length > 0) entry.endpoints = endpointEntry;

  term.say('--------------------');
  term.say(`[${accountName}]`);
  term.say(`service = ${service.key}`);
  term.say(`user = ${email ?? user.username}`);
  term.say(`token file = ${tokenFile}`);
  term.say(allDevices ? 'devices = all (every device and mount point as a folder)' : `device = ${device}\nmountpoint = ${mountPoint}`);
  for (const [k, v] of Object.entries(endpointEntry)) term.say(`${k} = ${String(v)}`);
  term.say('--------------------');
  if (!(await confirm(flags, term, `Write this to ${configFile}?`, true))) {
    term.say(`Nothing written to ${configFile}. The token stays in ${tokenFile}; run jottadav login again to reuse it.`);
    return;
  }

  const accounts = isObj(raw.accounts) ? { ...raw.accounts } : {};
  accounts[accountName] = entry;
  const next: Record<string, unknown> = { ...raw, accounts };
  const users = Array.isArray(raw.users) ? [...(raw.users as unknown[])] : [];
  const davUser = await chooseDavUser(flags, term, users.length);
  if (davUser) {
    const password = await readNewPassword(term, davUser);
    const record = { name: davUser, passwordHash: await hashPassword(password), account: accountName };
    const at = users.findIndex((u) => isObj(u) && u.name === davUser);
    if (at >= 0) users[at] = { ...(users[at] as object), ...record };
    else users.push(record);
  }
  if (users.length > 0 || raw.users !== undefined) next.users = users;
  await writeConfigFile(configFile, next);
  term.say(`Wrote ${configFile} (mode 0600).`);
  if (users.length === 0) term.say(`Next: add a WebDAV user — run \`jottadav hash-password --user NAME\` and put its output in "users" — then run jottadav serve --config ${configFile}`);
  else term.say(`Next: jottadav check-config --config ${configFile}, then jottadav serve --config ${configFile}`);
}

async function chooseDavUser(flags: LoginFlags, term: Terminal, existingUsers: number): Promise<string | undefined> {
  if (flags['dav-user'] !== undefined) {
    if (flags['dav-user'] === '' || /[:\s]/.test(flags['dav-user'])) throw new LoginError('--dav-user: a non-empty name without colons or spaces');
    return flags['dav-user'];
  }
  if (flags.yes || existingUsers > 0) return undefined;
  for (;;) {
    const name = (await term.line('WebDAV user name to add (empty to skip)> '))?.trim();
    if (!name) return undefined;
    if (!/[:\s]/.test(name)) return name;
    term.say('A user name cannot contain a colon or spaces.');
  }
}

async function readNewPassword(term: Terminal, name: string): Promise<string> {
  const password = await askSecret(term, `Password for ${name}> `);
  if (password === '') throw new LoginError(`an empty password is not allowed for ${name}`);
  if (term.interactive && (await term.secret('Repeat password> ')) !== password) throw new LoginError('the passwords do not match; run jottadav login again (the saved token is reused)');
  return password;
}

/** Relative to the config's folder when inside it, so the pair can be moved together. */
function portablePath(file: string, configFile: string): string {
  const rel = relative(dirname(configFile), file);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : file;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
