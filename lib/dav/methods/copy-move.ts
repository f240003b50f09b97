import { parentPath } from '../../util/paths.js';
import { checkPreconditions, isConditional } from '../conditional.js';
import { DavError, storage } from '../errors.js';
import { pathOfUri } from '../href.js';
import { guardWrite, statOrUndefined, type Protected } from '../lock-check.js';
import { depthOf, header, overwriteOf, type DavContext } from '../request.js';
import { send } from '../respond.js';

/** COPY and MOVE (RFC 4918 §9.8, §9.9). */
export async function copyOrMove(ctx: DavContext, move: boolean): Promise<void> {
  const destination = header(ctx.req, 'destination');
  if (!destination) throw DavError.badRequest('Destination header missing');
  const decoded = pathOfUri(destination.trim(), ctx.hrefs.basePath, header(ctx.req, 'host'));
  if (decoded === 'foreign' || decoded === 'outside') throw DavError.badGateway('the destination is on another server');
  const to = decoded.path;
  const overwrite = overwriteOf(ctx.req);
  const source = await storage(ctx.vfs.stat(ctx.path, { fresh: isConditional(ctx.req) }));
  // The preconditions are about the request's target: the source, not the destination.
  if (checkPreconditions(ctx.req, source) !== 'ok') throw DavError.preconditionFailed();
  const depth = source.kind === 'collection' ? depthOf(ctx.req, move ? (['infinity'] as const) : (['0', 'infinity'] as const), 'infinity') : 'infinity';
  if (ctx.path === '/' || to === '/') throw DavError.forbidden('the root cannot be copied or moved');
  if (ctx.vfs.resourceKey(ctx.path) === ctx.vfs.resourceKey(to)) {
    // Same resource: refused, unless it is a case-only rename on a case-insensitive Vfs, which
    // Vfs.move carries out (locks and dead properties stay: the resource key does not change).
    if (!move || ctx.path === to) throw DavError.forbidden('source and destination are the same');
    await guardWrite(ctx, { targets: [{ path: ctx.path, tree: true }, { path: parentPath(ctx.path) }] });
    await storage(ctx.vfs.move(ctx.path, to, { overwrite: true }));
    send(ctx.req, ctx.res, 201);
    return;
  }

  const existing = await statOrUndefined(ctx, to);
  if (existing && !overwrite) throw DavError.preconditionFailed('the destination exists and Overwrite is F');
  const targets: Protected[] = [{ path: to, tree: true }, { path: parentPath(to) }];
  if (move) targets.push({ path: ctx.path, tree: true }, { path: parentPath(ctx.path) });
  await guardWrite(ctx, { targets });
  const parent = await statOrUndefined(ctx, parentPath(to));
  if (!parent || parent.kind !== 'collection') throw DavError.conflict('the destination parent does not exist');

  const options = { overwrite, depth: depth === '0' ? (0 as const) : ('infinity' as const) };
  const overrides = { ALREADY_EXISTS: 412, PARENT_MISSING: 409, INVALID_ARGUMENT: 403 } as const;
  const result = await storage(move ? ctx.vfs.move(ctx.path, to, options) : ctx.vfs.copy(ctx.path, to, options), overrides);
  // Locks rooted at an overwritten destination stay (their holder submitted the token); locks on
  // members that the overwrite removed go with them.
  if (existing?.kind === 'collection') for (const lock of await ctx.locks.below(to)) await ctx.locks.remove(lock);
  if (move) {
    await ctx.locks.removeTree(ctx.path);
    await ctx.deadProps.moveTree(ctx.path, to);
  } else {
    await ctx.deadProps.copyTree(ctx.path, to, depth !== '0');
  }
  send(ctx.req, ctx.res, result.created ? 201 : 204);
}
