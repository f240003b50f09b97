/** The JSON API host: customer, allocate, purge_trash. */
import type { Ctx } from '../core.js';
import { requireBearer } from '../core.js';
import { errors } from '../errors.js';
import { drain, readJson, sendJson } from '../http.js';
import { purgeTrash } from '../state.js';
import { allocate } from '../uploads.js';

export async function handleApi(ctx: Ctx, route: 'customer' | 'allocate' | 'purge'): Promise<void> {
  requireBearer(ctx);
  const method = ctx.req.method ?? 'GET';
  const account = ctx.core.account;
  if (route === 'customer') {
    if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed(method);
    const usage = account.usage();
    return sendJson(ctx.res, 200, {
      username: account.username,
      email: `${account.username}@example.invalid`,
      name: 'Emulated Customer',
      country_code: 'NO',
      language_code: 'en',
      customer_group_code: 'CONSUMER',
      brand_code: 'JOTTACLOUD',
      account_type: account.capacity < 0 ? 'unlimited' : 'limited',
      subscription_type: 'MONTHLY',
      usage,
      quota: account.capacity,
      business_usage: 0,
      business_quota: 0,
      write_locked: false,
      read_locked: false,
      locked_cause: null,
      web_hash: 'emulator',
      android_hash: 'emulator',
      ios_hash: 'emulator',
    });
  }
  if (method !== 'POST') throw errors.methodNotAllowed(method);
  if (route === 'allocate') {
    const body = await readJson(ctx.req);
    return sendJson(ctx.res, 200, await account.shared(() => allocate(account, body, ctx.core.publicUrl())));
  }
  await drain(ctx.req);
  const counts = { files: 0, folders: 0 };
  for (const device of account.devices.values()) for (const mount of device.mounts.values()) purgeTrash(mount.root, counts, account.tree);
  await account.collectGarbage();
  account.changed();
  // Unconfirmed: counts are of trash roots, as a 2026 measurement suggests.
  sendJson(ctx.res, 200, { folders: counts.folders, files: counts.files });
}
