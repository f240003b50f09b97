/**
 * What the new token gives access to: whose account it is, and which device and mount point
 * the bridge will serve (rclone's defaults Jotta/Archive; the official clients' uploads live
 * elsewhere). Listing the account is the token's first use, so it also proves the login.
 */
import {
  DEFAULT_DEVICE,
  DEFAULT_MOUNT_POINT,
  JottacloudClient,
  JottaAuthError,
  JottaHttpError,
  JottaNetworkError,
  TokenManager,
  type Endpoints,
  type FetchLike,
  type JottaUser,
  type TokenStore,
} from '../../jottacloud/index.js';
import { isNetworkFailure, LoginError } from './errors.js';
import type { LoginFlags } from './flags.js';
import { choose, confirm, findName } from './prompts.js';
import type { Terminal } from '../terminal.js';

export interface ListedAccount {
  client: JottacloudClient;
  user: JottaUser;
  /** Shown in the summary when the account has one; else the user name is. */
  email: string | undefined;
}

/** The account's e-mail and devices: the first API call with the token, which proves the login. */
export async function listAccount(store: TokenStore, fetch: FetchLike, endpoints: Partial<Endpoints>): Promise<ListedAccount> {
  const tokens = new TokenManager({ store, fetch });
  const client = new JottacloudClient({ tokens, endpoints, fetch });
  let user: JottaUser;
  let email: string | undefined;
  try {
    const customer = await client.customer();
    email = customer.email;
    user = await client.user();
  } catch (error) {
    throw new LoginError(`logged in, but listing the account failed: ${explainAccountError(error)}`);
  } finally {
    // close() only clears the manager's pending timers: the client stays usable for the
    // mount point listing in chooseLocation.
    tokens.close();
  }
  return { client, user, email };
}

/**
 * --device/--mount-point (matched case-insensitively, stored as the server spells them), else
 * the defaults, else the rclone questions when the user asks for a non-standard location.
 */
export async function chooseLocation(flags: LoginFlags, term: Terminal, client: JottacloudClient, user: JottaUser): Promise<{ device: string; mountPoint: string }> {
  const devices = user.devices.map((d) => d.name);
  let device = DEFAULT_DEVICE;
  let custom = flags.device !== undefined || flags['mount-point'] !== undefined;
  if (!custom && !flags.yes) {
    custom = await confirm(flags, term, 'Do you want to use a non standard device/mountpoint e.g. for accessing files uploaded using the official Jottacloud client?', false);
  }
  if (flags.device !== undefined) {
    const found = findName(devices, flags.device);
    if (!found) throw new LoginError(`the account has no device '${flags.device}'; it has: ${devices.join(', ') || '(none)'}. Run jottadav login again (the saved token is reused).`);
    device = found;
  } else if (custom && !flags.yes) {
    device = await choose(term, 'Please select the device to use. Normally this will be Jotta', 'Devices', devices, DEFAULT_DEVICE);
  }
  let mountPoints: string[];
  try {
    mountPoints = (await client.device(device)).mountPoints.filter((m) => !m.deleted).map((m) => m.name);
  } catch (error) {
    throw new LoginError(`listing the mount points of ${device} failed: ${explainAccountError(error)}`);
  }
  let mountPoint = findName(mountPoints, DEFAULT_MOUNT_POINT) ?? mountPoints[0] ?? DEFAULT_MOUNT_POINT;
  if (flags['mount-point'] !== undefined) {
    const found = findName(mountPoints, flags['mount-point']);
    if (!found) throw new LoginError(`device ${device} has no mount point '${flags['mount-point']}'; it has: ${mountPoints.join(', ') || '(none)'}. Run jottadav login again (the saved token is reused).`);
    mountPoint = found;
  } else if (custom && !flags.yes) {
    mountPoint = await choose(term, 'Please select the mountpoint to use. Normally this will be Archive', 'Mountpoints', mountPoints, mountPoint);
  }
  return { device, mountPoint };
}

// After a successful login, a 401 or an unreachable host more likely means a wrong
// --api-url/--jfs-url than a bad token.
function explainAccountError(error: unknown): string {
  if (error instanceof JottaAuthError) return `the session was refused (${error.error}); run jottadav login with a new login token`;
  if (error instanceof JottaHttpError && error.status === 401) return 'the API refused the token (401); check --api-url/--jfs-url, or log in again';
  if (error instanceof JottaNetworkError || isNetworkFailure(error)) return `${(error as Error).message} (check --jfs-url/--api-url)`;
  return error instanceof Error ? error.message : String(error);
}
