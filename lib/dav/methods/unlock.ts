import { isSameOrBelow } from '../../util/paths.js';
import { DavError } from '../errors.js';
import { checkIfHeader } from '../lock-check.js';
import { stripBrackets } from '../locks.js';
import { header, type DavContext } from '../request.js';
import { send } from '../respond.js';

/** UNLOCK (RFC 4918 §9.11). Windows sends the Lock-Token without its angle brackets. */
export async function unlock(ctx: DavContext): Promise<void> {
  const raw = header(ctx.req, 'lock-token');
  if (!raw || stripBrackets(raw) === '') throw DavError.badRequest('Lock-Token header missing');
  const token = stripBrackets(raw);
  await checkIfHeader(ctx);
  const lock = await ctx.locks.get(token);
  const key = ctx.vfs.resourceKey(ctx.path);
  const rootKey = lock ? ctx.locks.rootKey(lock) : '';
  const inScope = lock !== undefined && (key === rootKey || (lock.depth === 'infinity' && isSameOrBelow(key, rootKey)));
  if (!lock || !inScope) throw DavError.conflict('no such lock on this resource', 'lock-token-matches-request-uri');
  if (lock.user !== ctx.user) throw DavError.forbidden('the lock belongs to another user');
  await ctx.locks.remove(lock);
  send(ctx.req, ctx.res, 204);
}
