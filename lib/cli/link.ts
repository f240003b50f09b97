/**
 * `jottadav link PATH [--unlink]`: creates (or removes) the public link of a file or folder,
 * like `rclone link remote:PATH`. PATH is as a WebDAV client sees it: inside the account's
 * device and mount point, or `/Device/MountPoint/…` when the account shows all devices.
 */
import type { FetchLike, JfsLocation } from '../jottacloud/index.js';
import { isNotFound } from '../jottacloud/index.js';
import { NameCodec } from '../vfs/index.js';
import { ACCOUNT_HELP, ACCOUNT_OPTIONS, explainAccountFailure, openAccount } from './about.js';
import { CommandError, runCommand } from './command.js';

const HELP = `Usage: jottadav link PATH [--unlink] [--config FILE] [--account NAME] [--json]

Prints the public download link of PATH (a file or a folder, which downloads as a zip),
creating it when needed. With --unlink, removes the link instead.

PATH is the path a WebDAV client sees, e.g. /Photos/2024/beach.jpg. When the account is
configured with allDevices, it starts with the device and mount point: /Jotta/Archive/…

  --unlink        remove the public link instead of creating it
${ACCOUNT_HELP}`;

const OPTIONS = { ...ACCOUNT_OPTIONS, unlink: { type: 'boolean' } } as const;

export async function run(argv: string[], fetch?: FetchLike): Promise<number> {
  return runCommand({ name: 'link', help: HELP, options: OPTIONS, positionals: true, explain: explainAccountFailure }, argv, async ({ values, positionals, result }) => {
    if (positionals.length !== 1) throw new CommandError(positionals.length === 0 ? 'which file or folder? usage: jottadav link PATH [--unlink]' : `one PATH only, got ${positionals.length}`, 2);
    const path = positionals[0] as string;
    const opened = openAccount({ config: values.config, account: values.account }, fetch);
    try {
      const segments = splitClientPath(path);
      const names = NameCodec.of(opened.nameEncoding);
      const encodeName = (name: string) => names.encode(name);
      let at: JfsLocation;
      if (opened.account.allDevices) {
        if (segments.length < 3) throw new CommandError(`with allDevices, PATH starts with /Device/MountPoint/ and names an item inside it, got '${path}'`);
        at = { device: segments[0] as string, mountPoint: segments[1] as string, segments: segments.slice(2).map(encodeName) };
      } else {
        if (segments.length === 0) throw new CommandError('PATH must name a file or folder, not the root');
        at = { device: opened.account.device, mountPoint: opened.account.mountPoint, segments: segments.map(encodeName) };
      }
      let link: string | undefined;
      try {
        link = await opened.client.setShare(at, values.unlink !== true);
      } catch (error) {
        if (isNotFound(error)) throw new CommandError(`no such file or folder: ${path}`);
        throw error;
      }
      result({ path, link: link ?? null }, values.unlink ? `Removed the public link of ${path}` : `${link}`);
      return 0;
    } finally {
      await opened.close();
    }
  });
}

function splitClientPath(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) throw new CommandError(`PATH may not contain '.' or '..' segments: ${path}`);
  // NFC, as the bridge stores names (Finder types NFD); stored names follow names.encoding.
  return segments.map((s) => s.normalize('NFC'));
}
