/**
 * `jottadav link PATH [--unlink]`: creates (or removes) the public link of a file or folder,
 * like `rclone link remote:PATH`. PATH is as a WebDAV client sees it: inside the account's
 * device and mount point, or `/Device/MountPoint/…` when the account shows all devices.
 */
import { isStorageError } from '../storage/errors.js';
import { NameCodec } from '../vfs/index.js';
import { ACCOUNT_HELP, runAccountCommand } from './account.js';
import { CommandError } from './command.js';

const HELP = `Usage: jottadav link PATH [--unlink] [--config FILE] [--account NAME] [--json]

Prints the public download link of PATH (a file or a folder, which downloads as a zip),
creating it when needed. With --unlink, removes the link instead.

PATH is the path a WebDAV client sees, e.g. /Photos/2024/beach.jpg. When the account is
configured with allDevices, it starts with the device and mount point: /Jotta/Archive/…

  --unlink        remove the public link instead of creating it
${ACCOUNT_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const check = (_values: unknown, positionals: string[]) => {
    if (positionals.length !== 1) throw new CommandError(positionals.length === 0 ? 'which file or folder? usage: jottadav link PATH [--unlink]' : `one PATH only, got ${positionals.length}`, 2);
    splitClientPath(positionals[0] as string);
  };
  return runAccountCommand({ name: 'link', help: HELP, options: { unlink: { type: 'boolean' } }, positionals: true, check }, argv, async ({ values, positionals, result }, opened) => {
    const path = positionals[0] as string;
    const segments = splitClientPath(path);
    let backend = opened.backend;
    let inside = segments;
    if (opened.account.allDevices) {
      if (segments.length < 3) throw new CommandError(`with allDevices, PATH starts with /Device/MountPoint/ and names an item inside it, got '${path}'`);
      backend = opened.storage.backend(segments[0] as string, segments[1] as string);
      inside = segments.slice(2);
    } else if (segments.length === 0) {
      throw new CommandError('PATH must name a file or folder, not the root');
    }
    // The names as the server stores them (names.encoding), so PATH finds what a WebDAV client wrote.
    const stored = NameCodec.of(opened.config.names.encoding).storedPath(inside);
    let link: string | undefined;
    try {
      link = await backend.setPublicLink(stored, values.unlink !== true);
    } catch (error) {
      if (isStorageError(error, 'NOT_FOUND')) throw new CommandError(`no such file or folder: ${path}`);
      throw error;
    }
    result({ path, link: link ?? null }, values.unlink ? `Removed the public link of ${path}` : `${link}`);
    return 0;
  });
}

function splitClientPath(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) throw new CommandError(`PATH may not contain '.' or '..' segments: ${path}`, 2);
  return segments;
}
