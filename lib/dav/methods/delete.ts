import { parentPath } from '../../util/paths.js';
import { checkPreconditions, isConditional } from '../conditional.js';
import { DavError, storage } from '../errors.js';
import { guardWrite } from '../lock-check.js';
import { Multistatus } from '../multistatus.js';
import { depthOf, type DavContext } from '../request.js';
import { send, sendXml } from '../respond.js';

export async function del(ctx: DavContext): Promise<void> {
  if (ctx.path === '/') throw DavError.forbidden('the root cannot be deleted');
  const entry = await storage(ctx.vfs.stat(ctx.path, { fresh: isConditional(ctx.req) }));
  if (checkPreconditions(ctx.req, entry) !== 'ok') throw DavError.preconditionFailed();
  // RFC 4918 §9.6.1: a collection DELETE acts as Depth: infinity; anything else is refused.
  if (entry.kind === 'collection') depthOf(ctx.req, ['infinity'] as const, 'infinity');
  try {
    await guardWrite(ctx, { targets: [{ path: ctx.path, tree: true }, { path: parentPath(ctx.path) }] });
  } catch (error) {
    // Only members below are locked: a multistatus names each (RFC 4918 §9.6.1), nothing is deleted.
    const self = ctx.hrefs.of(entry.path, true);
    const onlyBelow = (hrefs: string[]) => hrefs.every((h) => h.startsWith(self) && h.length > self.length);
    if (error instanceof DavError && error.condition === 'lock-token-submitted' && onlyBelow(error.hrefs)) {
      const ms = new Multistatus();
      for (const href of error.hrefs) ms.status(href, 423, 'lock-token-submitted');
      sendXml(ctx.req, ctx.res, 207, ms.toString());
      return;
    }
    throw error;
  }
  await storage(ctx.vfs.remove(ctx.path));
  await ctx.locks.removeTree(ctx.path);
  await ctx.deadProps.removeTree(ctx.path);
  send(ctx.req, ctx.res, 204);
}
