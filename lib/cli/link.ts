/**
 * `jottadav link PATH [--unlink]`: creates (or removes) the public link of a file or folder,
 * like `rclone link remote:PATH`. PATH is as a WebDAV client sees it: inside the account's
 * device and mount point, or `/Device/MountPoint/…` when the account shows all devices.
 */
import type { FetchLike, JfsLocation } from '../jottacloud/index.js';
import { isNotFound } from '../jottacloud/index.js';
import { ACCOUNT_HELP, ACCOUNT_OPTIONS, CommandError, openAccount, runAccountCommand } from './about.js';

const HELP = `Usage: jottadav link PATH [--unlink] [--config FILE] [--account NAME] [--json]

Prints the public download link of PATH (a file or a folder, which downloads as a zip),
creating it when needed. With --unlink, removes the link instead.

PATH is the path a WebDAV client sees, e.g. /Photos/2024/beach.jpg. When the account is
configured with allDevices, it starts with the device and mount point: /Jotta/Archive/…

  --unlink        remove the public link instead of creating it
${ACCOUNT_HELP}`;

const OPTIONS = { ...ACCOUNT_OPTIONS, unlink: { type: 'boolean' } } as const;

export async function run(argv: string[], fetch?: FetchLike): Promise<number> {
  return runAccountCommand('link', HELP, argv, OPTIONS, async (values, positionals, io) => {
    if (positionals.length !== 1) throw new CommandError(positionals.length === 0 ? 'which file or folder? usage: jottadav link PATH [--unlink]' : `one PATH only, got ${positionals.length}`);
    const path = positionals[0] as string;
    const opened = openAccount({ config: values.config as string | undefined, account: values.account as string | undefined }, fetch);
    try {
      const segments = splitClientPath(path);
      let at: JfsLocation;
      if (opened.account.allDevices) {
        if (segments.length < 3) throw new CommandError(`with allDevices, PATH starts with /Device/MountPoint/ and names an item inside it, got '${path}'`);
        at = { device: segments[0] as string, mountPoint: segments[1] as string, segments: segments.slice(2).map(remoteName) };
      } else {
        if (segments.length === 0) throw new CommandError('PATH must name a file or folder, not the root');
        at = { device: opened.account.device, mountPoint: opened.account.mountPoint, segments: segments.map(remoteName) };
      }
      let link: string | undefined;
      try {
        link = await opened.client.setShare(at, values.unlink !== true);
      } catch (error) {
        if (isNotFound(error)) throw new CommandError(`no such file or folder: ${path}`);
        throw error;
      }
      if (values.json) io.stdout.write(`${JSON.stringify({ path, link: link ?? null })}\n`);
      else io.stdout.write(values.unlink ? `Removed the public link of ${path}\n` : `${link}\n`);
      return 0;
    } finally {
      opened.close();
    }
  });
}

function splitClientPath(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) throw new CommandError(`PATH may not contain '.' or '..' segments: ${path}`);
  return segments.map((s) => s.normalize('NFC'));
}

// --- rclone's Jottacloud name encoding, encode direction only (jottacloud-api.md §4.2) ---
// Duplicated here as a last resort while lib/vfs has no exported encoder; switch to it once
// it exists so the two can never disagree.
const QUOTE = '\u201B';
const FULLWIDTH_SOURCE = '/"*:<>?|%';
const QUOTABLE = new Set<string>([QUOTE, '\u2421', ...[...FULLWIDTH_SOURCE].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0))]);
for (let cp = 0x2400; cp <= 0x241f; cp++) QUOTABLE.add(String.fromCodePoint(cp));

export function remoteName(name: string): string {
  if (name === '.') return '\uFF0E';
  if (name === '..') return '\uFF0E\uFF0E';
  if (name === '\uFF0E') return `${QUOTE}\uFF0E`;
  if (name === '\uFF0E\uFF0E') return `${QUOTE}\uFF0E${QUOTE}\uFF0E`;
  let out = '';
  for (const ch of name) {
    const cp = ch.codePointAt(0) as number;
    if (QUOTABLE.has(ch)) out += QUOTE + ch;
    else if (cp < 0x20) out += String.fromCodePoint(0x2400 + cp);
    else if (cp === 0x7f) out += '\u2421';
    else if (FULLWIDTH_SOURCE.includes(ch)) out += String.fromCodePoint(cp + 0xfee0);
    else out += ch;
  }
  return out;
}
