import { parentPath } from '../../util/paths.js';
import { DavError, storage } from '../errors.js';
import { guardWrite, statOrUndefined } from '../lock-check.js';
import { contentLength, hasBody, header, readText, type DavContext } from '../request.js';
import { send } from '../respond.js';

export async function mkcol(ctx: DavContext): Promise<void> {
  // We understand no MKCOL body (RFC 4918 §9.3: 415). A declared length is judged unread; a
  // chunked body is read (capped) because some clients send an empty one.
  if (hasBody(ctx.req)) {
    const chunkedOnly = contentLength(ctx.req) === undefined && header(ctx.req, 'transfer-encoding') !== undefined;
    if (!chunkedOnly || (await readText(ctx)) !== '') throw DavError.unsupportedMediaType('MKCOL with a body is not supported');
  }
  if (ctx.path === '/' || (await statOrUndefined(ctx, ctx.path))) throw DavError.methodNotAllowed('the resource exists');
  await guardWrite(ctx, { targets: [{ path: ctx.path }, { path: parentPath(ctx.path) }] });
  await storage(ctx.vfs.mkdir(ctx.path), { ALREADY_EXISTS: 405, PARENT_MISSING: 409, NOT_A_DIRECTORY: 409 });
  send(ctx.req, ctx.res, 201);
}
