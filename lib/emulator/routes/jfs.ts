/** Dispatch for `/jfs/{user}/{device}/{mount}/...`. */
import type { Ctx } from '../core.js';
import { requireBearer } from '../core.js';
import { errors } from '../errors.js';
import { drain, sendXml } from '../http.js';
import { BadPathEncoding, decodePath, fold } from '../names.js';
import { isSpecialMount, newDevice, newFolder } from '../state.js';
import { nameError } from '../uploads.js';
import { deviceDocument } from '../views.js';
import { mountDocument } from '../views.js';
import { getAccount, getPath, getSpecial } from './jfs-read.js';
import { COMMANDS, postCommand } from './jfs-write.js';

const DEVICE_TYPES = new Set(['WORKSTATION', 'LAPTOP', 'IMAC', 'MACBOOK', 'IPAD', 'ANDROID', 'IPHONE', 'WINDOWS_PHONE', 'CLI', 'JOTTA']);

export async function handleJfs(ctx: Ctx): Promise<void> {
  requireBearer(ctx);
  const method = ctx.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') throw errors.methodNotAllowed(method);
  let segments: string[];
  try {
    segments = decodePath(ctx.rawPath.slice('/jfs'.length));
  } catch (error) {
    if (error instanceof BadPathEncoding) throw errors.invalid(error.message);
    throw error;
  }
  const [user, deviceName, mountName, ...names] = segments;
  if (user === undefined) throw errors.noUsername();
  const account = ctx.core.account;
  if (fold(user) !== fold(account.username)) throw errors.accessDenied();
  const bad = nameError(segments.slice(1));
  if (bad) throw bad;
  // Command POSTs carry no body; read anything sent so the connection stays usable.
  if (method === 'POST') await drain(ctx.req);

  if (deviceName === undefined) {
    if (method === 'POST') throw errors.invalid('Nothing to do on the account');
    return getAccount(ctx);
  }
  if (mountName === undefined) {
    if (method !== 'POST') return getAccount(ctx, deviceName);
    return createDevice(ctx, deviceName);
  }
  const device = account.device(deviceName);
  const command = COMMANDS.find((c) => ctx.url.searchParams.has(c));
  if (isSpecialMount(mountName) && account.devices.get(fold(deviceName))?.type === 'JOTTA') {
    const mount = account.mount(device, mountName);
    // Special views are read-only in the emulator (unconfirmed what the service does).
    if (method === 'POST') throw errors.invalid(`Mount point ${mount.root.name} is read-only`);
    return getSpecial(ctx, device, mount, names);
  }
  if (method === 'POST' && names.length === 0 && command === undefined) return createMount(ctx, deviceName, mountName);
  if (method === 'POST' && command === 'mkDir' && !device.mounts.has(fold(mountName)) && device.type !== 'JOTTA') {
    // mkDir inside a not-yet-existing custom mount point creates it (Duplicati relies on it).
    device.mounts.set(fold(mountName), { root: newFolder(mountName) });
  }
  const place = account.place(deviceName, mountName, names);
  if (method !== 'POST') return getPath(ctx, place);
  if (command === undefined) throw errors.invalid('Unknown or missing command');
  const value = ctx.url.searchParams.get(command) ?? '';
  const isPathValue = command === 'mv' || command === 'cp' || command === 'mvDir';
  if (!isPathValue && value.toLowerCase() !== 'true') throw errors.invalid(`${command} must be true`);
  if (isPathValue && value === '') throw errors.invalid(`${command} needs a destination`);
  return postCommand(ctx, place, command, value);
}

/** `POST /{user}/{device}?type=…`: 201, also when the device exists (jafs). */
function createDevice(ctx: Ctx, name: string): void {
  const account = ctx.core.account;
  const type = (ctx.url.searchParams.get('type') ?? 'WORKSTATION').toUpperCase();
  if (!DEVICE_TYPES.has(type) || type === 'JOTTA') throw errors.invalid(`Invalid device type '${type}'`);
  if (!account.devices.has(fold(name))) account.devices.set(fold(name), newDevice(name, type, []));
  account.changed();
  sendXml(ctx.res, 201, deviceDocument(account, account.device(name)));
}

/** `POST /{user}/{device}/{mount}`: 201 when created, 200 when it exists. */
function createMount(ctx: Ctx, deviceName: string, mountName: string): void {
  const account = ctx.core.account;
  const device = account.device(deviceName);
  const exists = device.mounts.has(fold(mountName));
  if (!exists) device.mounts.set(fold(mountName), { root: newFolder(mountName) });
  account.changed();
  const mount = account.mount(device, mountName);
  sendXml(ctx.res, exists ? 200 : 201, mountDocument(account, { device, mount }, false));
}
