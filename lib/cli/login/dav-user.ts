/**
 * The WebDAV user that login can add, so that a first-time setup ends with a config serve
 * accepts. Asked only while the config has no user yet (a rerun for a second account must not
 * nag); --dav-user adds or updates one at any time.
 */
import { LoginError } from './errors.js';
import type { LoginFlags } from './flags.js';
import { askSecret } from './prompts.js';
import type { Terminal } from '../terminal.js';

export interface NewDavUser {
  name: string;
  password: string;
}

/** The user to add with its password, or undefined for none. */
export async function askDavUser(flags: LoginFlags, term: Terminal, existingUsers: number): Promise<NewDavUser | undefined> {
  const name = await chooseDavUser(flags, term, existingUsers);
  if (!name) return undefined;
  return { name, password: await readNewPassword(term, name) };
}

// The rule of hash-password --user: Basic auth cannot carry a colon in a user name, and spaces
// are refused as well.
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

/** Hidden, and asked twice on a terminal (a typo there cannot be seen); piped, one line. */
async function readNewPassword(term: Terminal, name: string): Promise<string> {
  const password = await askSecret(term, `Password for ${name}> `);
  if (password === '') throw new LoginError(`an empty password is not allowed for ${name}`);
  if (term.interactive && (await term.secret('Repeat password> ')) !== password) throw new LoginError('the passwords do not match; run jottadav login again (the saved token is reused)');
  return password;
}
