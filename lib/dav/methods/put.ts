import { isStorageError } from '../../storage/errors.js';
import { parentPath } from '../../util/paths.js';
import { checkPreconditions, isConditional } from '../conditional.js';
import { asDavError, DavError } from '../errors.js';
import { guardWrite, statOrUndefined } from '../lock-check.js';
import { quotedEtag } from '../props.js';
import { contentLength, header, type DavContext } from '../request.js';
import { send } from '../respond.js';

/** X-OC-Mtime: Unix seconds, possibly fractional (ownCloud/rclone). */
function ocMtime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,12}(\.\d+)?$/.test(value.trim())) throw DavError.badRequest('malformed X-OC-Mtime');
  return new Date(Number(value.trim()) * 1000);
}

function expectedSizeOf(ctx: DavContext): number | undefined {
  const chunked = header(ctx.req, 'transfer-encoding') !== undefined;
  if (!chunked) {
    const length = contentLength(ctx.req);
    if (Number.isNaN(length)) throw DavError.badRequest('malformed Content-Length');
    // No Content-Length and not chunked: an empty body (gvfs creates documents this way).
    return length ?? 0;
  }
  // Finder: chunked body, the real size in X-Expected-Entity-Length.
  const expected = header(ctx.req, 'x-expected-entity-length');
  if (expected === undefined) return undefined;
  if (!/^\d{1,16}$/.test(expected.trim())) throw DavError.badRequest('malformed X-Expected-Entity-Length');
  return Number(expected.trim());
}

export async function put(ctx: DavContext): Promise<void> {
  const { req, res } = ctx;
  if (header(req, 'content-range') !== undefined) throw DavError.badRequest('partial PUT (Content-Range) is not supported');
  if (ctx.trailingSlash || ctx.path === '/') throw DavError.methodNotAllowed('PUT on a collection');
  const expectedSize = expectedSizeOf(ctx);
  const modified = ocMtime(header(req, 'x-oc-mtime'));
  // Without a precondition the write decides again what is there: the cached listing will do.
  const conditional = isConditional(req);
  const entry = await statOrUndefined(ctx, ctx.path, { fresh: conditional, trustMisses: !conditional });
  if (entry?.kind === 'collection') throw DavError.methodNotAllowed('PUT on a collection');
  const pre = checkPreconditions(req, entry);
  if (pre !== 'ok') throw DavError.preconditionFailed();
  await guardWrite(ctx, { targets: entry ? [{ path: ctx.path }] : [{ path: ctx.path }, { path: parentPath(ctx.path) }] });
  const parent = await statOrUndefined(ctx, parentPath(ctx.path), { kindOnly: true });
  if (!parent || parent.kind !== 'collection') throw DavError.conflict('the parent collection does not exist');

  ctx.continue();
  let result;
  try {
    result = await ctx.vfs.write(ctx.path, req, { expectedSize, ...(modified ? { modified } : {}) });
  } catch (error) {
    // The client went away mid-body: there is nobody to answer.
    if (isStorageError(error, 'ABORTED') && (req.destroyed || req.readableAborted)) {
      res.destroy();
      return;
    }
    throw asDavError(error);
  }
  const headers: Record<string, string> = {};
  const etag = quotedEtag(result.entry);
  if (etag) headers.ETag = etag;
  if (modified) headers['X-OC-Mtime'] = 'accepted';
  send(req, res, result.created ? 201 : 204, '', headers);
}
