import { parentPath } from '../../util/paths.js';
import { DavError, storage } from '../errors.js';
import { guardWrite, statOrUndefined } from '../lock-check.js';
import { hasBody, type DavContext } from '../request.js';
import { send } from '../respond.js';

export async function mkcol(ctx: DavContext): Promise<void> {
  // We understand no MKCOL body (RFC 4918 §9.3: 415). Checked before reading anything.
  if (hasBody(ctx.req)) throw new DavError(415, 'MKCOL with a body is not supported');
  if (ctx.path === '/' || (await statOrUndefined(ctx, ctx.path))) throw new DavError(405, 'the resource exists');
  await guardWrite(ctx, { targets: [{ path: ctx.path }, { path: parentPath(ctx.path) }] });
  await storage(ctx.vfs.mkdir(ctx.path), { ALREADY_EXISTS: 405, PARENT_MISSING: 409, NOT_A_DIRECTORY: 409 });
  send(ctx.req, ctx.res, 201);
}
