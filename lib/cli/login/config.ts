/**
 * The account entry login writes into the config: shown first, written only after a yes, and
 * merged into what the config already holds (other accounts, users and settings are kept).
 */
import { dirname, relative, sep } from 'node:path';
import { readRawConfig, writeConfigFile } from '../../config/index.js';
import { hashPassword } from '../../dav/auth.js';
import type { Endpoints, WhiteLabelService } from '../../jottacloud/index.js';
import { askDavUser } from './dav-user.js';
import { LoginError } from './errors.js';
import type { LoginFlags } from './flags.js';
import { confirm } from './prompts.js';
import type { Terminal } from '../terminal.js';

/** What the wizard settled on for one account. */
export interface AccountChoice {
  accountName: string;
  service: WhiteLabelService;
  /** Shown in the summary: the account's e-mail, else its user name. */
  userName: string;
  tokenFile: string;
  device: string;
  mountPoint: string;
  allDevices: boolean;
  endpoints: Partial<Endpoints>;
  wellKnown: string | undefined;
}

/** The config as it stands ({} when there is none yet); unreadable JSON is the user's to fix. */
export async function readConfigToUpdate(configFile: string): Promise<Record<string, unknown>> {
  try {
    return (await readRawConfig(configFile)) ?? {};
  } catch (error) {
    throw new LoginError((error as Error).message);
  }
}

/** Shows the entry as rclone shows a remote, and writes it (with a WebDAV user) after a yes. */
export async function saveAccount(flags: LoginFlags, term: Terminal, configFile: string, raw: Record<string, unknown>, choice: AccountChoice): Promise<void> {
  const { accountName, tokenFile, allDevices } = choice;
  const entry: Record<string, unknown> = {
    tokenFile: portablePath(tokenFile, configFile),
    service: choice.service.key,
    device: choice.device,
    mountPoint: choice.mountPoint,
    ...(allDevices ? { allDevices: true } : {}),
  };
  const endpointEntry = { ...choice.endpoints, ...(choice.wellKnown ? { wellKnown: choice.wellKnown } : {}) };
  if (Object.keys(endpointEntry).length > 0) entry.endpoints = endpointEntry;

  term.say('--------------------');
  term.say(`[${accountName}]`);
  term.say(`service = ${choice.service.key}`);
  term.say(`user = ${choice.userName}`);
  term.say(`token file = ${tokenFile}`);
  term.say(allDevices ? 'devices = all (every device and mount point as a folder)' : `device = ${choice.device}\nmountpoint = ${choice.mountPoint}`);
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
  const davUser = await askDavUser(flags, term, users.length);
  if (davUser) {
    const record = { name: davUser.name, passwordHash: await hashPassword(davUser.password), account: accountName };
    // An existing user of that name keeps its other settings; only these three change.
    const at = users.findIndex((u) => isObj(u) && u.name === davUser.name);
    if (at >= 0) users[at] = { ...(users[at] as object), ...record };
    else users.push(record);
  }
  if (users.length > 0 || raw.users !== undefined) next.users = users;
  await writeConfigFile(configFile, next);
  term.say(`Wrote ${configFile} (mode 0600).`);
  if (users.length === 0) term.say(`Next: add a WebDAV user — run \`jottadav hash-password --user NAME\` and put its output in "users" — then run jottadav serve --config ${configFile}`);
  else term.say(`Next: jottadav check-config --config ${configFile}, then jottadav serve --config ${configFile}`);
}

/** Relative to the config's folder when inside it, so the pair can be moved together. */
function portablePath(file: string, configFile: string): string {
  const rel = relative(dirname(configFile), file);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : file;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
