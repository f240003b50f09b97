/**
 * `jottadav login`'s flags and help. Every question the wizard asks has a flag, so that a script
 * can run it unattended; the server URL flags point it at a non-default server (the local
 * emulator, a proxy).
 */
import { isHttpUrl } from '../../config/index.js';
import type { Endpoints } from '../../jottacloud/index.js';
import type { CommandSpec, CommandValues } from '../command.js';

const HELP = `Usage: jottadav login [options]

Logs in to Jottacloud (or a white-label service) with a personal login token, lets you pick the
device and mount point to serve, and writes the token file (mode 0600) and the config.
Generate the token at https://www.jottacloud.com/web/secure ("Personal login token"; the web
interface may call it a JottaCli token). It works once.

Every question can be answered by a flag:
  --service KEY          jottacloud (default) or a white-label key (see the list it prints)
  --login-token TOKEN    the personal login token (or paste it when asked)
  --device NAME          device to serve (default Jotta)
  --mount-point NAME     mount point to serve (default Archive)
  --all-devices          serve every device and mount point as top-level folders instead
  --account NAME         name of the account entry in the config (default "default")
  --token-file FILE      where to keep the token (default: next to the config)
  --config FILE          config to create or update (default: $JOTTADAV_CONFIG, else
                         ~/.config/jottadav/config.json)
  --dav-user NAME        also add a WebDAV user; its password is read like hash-password's
  --yes                  accept the defaults for every question not given by a flag
Non-default servers (the local emulator, a proxy):
  --well-known URL       OIDC discovery document to use instead of the one in the token
  --jfs-url URL          JFS API base (default https://jfs.jottacloud.com/jfs/)
  --api-url URL          JSON API base (default https://api.jottacloud.com/)
  --www-url URL          base of public links (default https://www.jottacloud.com/)
  -h, --help             show this help`;

// -h/--help is added by the command runner.
const OPTIONS = {
  service: { type: 'string' },
  'login-token': { type: 'string' },
  device: { type: 'string' },
  'mount-point': { type: 'string' },
  'all-devices': { type: 'boolean' },
  account: { type: 'string' },
  'token-file': { type: 'string' },
  config: { type: 'string' },
  'dav-user': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'well-known': { type: 'string' },
  'jfs-url': { type: 'string' },
  'api-url': { type: 'string' },
  'www-url': { type: 'string' },
} as const;

export type LoginFlags = CommandValues<typeof OPTIONS>;

/** login's flags, help and the check of its URL flags, for the command runner. */
export const LOGIN_COMMAND: CommandSpec<typeof OPTIONS> = { name: 'login', help: HELP, options: OPTIONS, check: checkServerUrls };

/** The server URL flags as endpoint overrides; only those given, so the rest stay default. */
export function endpointOverrides(flags: LoginFlags): Partial<Endpoints> {
  const endpoints: Partial<Endpoints> = {};
  if (flags['jfs-url']) endpoints.jfs = flags['jfs-url'];
  if (flags['api-url']) endpoints.api = flags['api-url'];
  if (flags['www-url']) endpoints.www = flags['www-url'];
  return endpoints;
}

// parseArgs takes any string: a URL flag that is no URL is reported as a bad flag, before the
// first question, rather than as a failed request halfway through the wizard.
function checkServerUrls(flags: LoginFlags): void {
  for (const key of ['well-known', 'jfs-url', 'api-url', 'www-url'] as const) {
    const v = flags[key];
    if (v !== undefined && !isHttpUrl(v)) throw new Error(`--${key} must be an http(s) URL, got '${v}'`);
  }
}
