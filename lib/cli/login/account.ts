/**
 * What the new token gives access to: whose account it is, and which device and mount point
 * the bridge will serve (rclone's defaults Jotta/Archive; the official clients' uploads live
 * elsewhere). Listing the account is the token's first use, so it also proves the login.
 */
import { ACCOUNT_DEFAULTS } from '../../config/structured.js';
import { createJottacloudAccount, type AccountDescription, type FetchLike, type JottacloudAccount, type TokenStore } from '../../jottacloud/index.js';
import { explainStorageFailure } from '../account.js';
import { LoginError } from './errors.js';
import { endpointOverrides, type LoginFlags } from './flags.js';
import { choose, confirm, findName } from './prompts.js';
import type { Terminal } from '../terminal.js';

export interface ListedAccount {
  /** The account as serve reaches it, so its failures read as the account commands' do. */
  account: JottacloudAccount;
  described: AccountDescription;
}

/** The account's owner and devices: the first API call with the token, which proves the login. */
export async function listAccount(store: TokenStore, fetch: FetchLike, flags: LoginFlags): Promise<ListedAccount> {
  const account = await createJottacloudAccount({ tokenStore: store, fetch, endpoints: endpointOverrides(flags) });
  try {
    return { account, described: await account.describe() };
  } catch (error) {
    throw new LoginError(`logged in, but listing the account failed: ${explainAccountError(error, flags)}`);
  } finally {
    // close() only clears the token timers: the account stays usable for the mount point
    // listing in chooseLocation.
    account.close();
  }
}

/**
 * --device/--mount-point (matched case-insensitively, stored as the server spells them), else
 * the defaults, else the rclone questions when the user asks for a non-standard location.
 */
export async function chooseLocation(flags: LoginFlags, term: Terminal, listed: ListedAccount): Promise<{ device: string; mountPoint: string }> {
  const devices = listed.described.devices;
  let device: string = ACCOUNT_DEFAULTS.device;
  let custom = flags.device !== undefined || flags['mount-point'] !== undefined;
  if (!custom && !flags.yes) {
    custom = await confirm(flags, term, 'Do you want to use a non standard device/mountpoint e.g. for accessing files uploaded using the official Jottacloud client?', false);
  }
  if (flags.device !== undefined) {
    const found = findName(devices, flags.device);
    if (!found) throw new LoginError(`the account has no device '${flags.device}'; it has: ${devices.join(', ') || '(none)'}. Run jottadav login again (the saved token is reused).`);
    device = found;
  } else if (custom && !flags.yes) {
    device = await choose(term, 'Please select the device to use. Normally this will be Jotta', 'Devices', devices, ACCOUNT_DEFAULTS.device);
  }
  let mountPoints: string[];
  try {
    mountPoints = await listed.account.mountPoints(device);
  } catch (error) {
    throw new LoginError(`listing the mount points of ${device} failed: ${explainAccountError(error, flags)}`);
  }
  let mountPoint = findName(mountPoints, ACCOUNT_DEFAULTS.mountPoint) ?? mountPoints[0] ?? ACCOUNT_DEFAULTS.mountPoint;
  if (flags['mount-point'] !== undefined) {
    const found = findName(mountPoints, flags['mount-point']);
    if (!found) throw new LoginError(`device ${device} has no mount point '${flags['mount-point']}'; it has: ${mountPoints.join(', ') || '(none)'}. Run jottadav login again (the saved token is reused).`);
    mountPoint = found;
  } else if (custom && !flags.yes) {
    mountPoint = await choose(term, 'Please select the mountpoint to use. Normally this will be Archive', 'Mountpoints', mountPoints, mountPoint);
  }
  return { device, mountPoint };
}

// Right after a successful login, a refusal or an unreachable host more likely means a wrong
// --api-url/--jfs-url than a bad token, when those are given.
function explainAccountError(error: unknown, flags: LoginFlags): string {
  const hint = flags['jfs-url'] !== undefined || flags['api-url'] !== undefined ? '; check --jfs-url/--api-url' : '';
  return `${explainStorageFailure(error)}${hint}`;
}
