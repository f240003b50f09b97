import { Readable } from 'node:stream';
import { parentPath } from '../../util/paths.js';
import { DavError, storage } from '../errors.js';
import { checkIfHeader, guardWrite, statOrUndefined } from '../lock-check.js';
import type { LockRecord, LockScope } from '../locks.js';
import { activeLock } from '../props.js';
import { depthOf, lockTimeoutOf, readXml, type DavContext } from '../request.js';
import { sendXml } from '../respond.js';
import { child, DAV_NS, elements, isDav, serialise, XML_DECL, type XmlElement } from '../xml.js';

function lockBody(ctx: DavContext, lock: LockRecord): string {
  return `${XML_DECL}<D:prop xmlns:D="DAV:"><D:lockdiscovery>${activeLock(lock, ctx.hrefs, ctx.locks.viewerPath(lock, ctx.path))}</D:lockdiscovery></D:prop>`;
}

function parseLockInfo(body: XmlElement): { scope: LockScope; owner: string | undefined } {
  if (!isDav(body, 'lockinfo')) throw DavError.badRequest('expected DAV:lockinfo');
  const scopeEl = child(body, DAV_NS, 'lockscope');
  const typeEl = child(body, DAV_NS, 'locktype');
  const scope = scopeEl ? elements(scopeEl)[0] : undefined;
  if (!scope || scope.ns !== DAV_NS || (scope.local !== 'exclusive' && scope.local !== 'shared')) throw DavError.badRequest('lockscope must be exclusive or shared');
  if (!typeEl || !elements(typeEl).some((e) => isDav(e, 'write'))) throw DavError.badRequest('only write locks exist');
  const ownerEl = child(body, DAV_NS, 'owner');
  return { scope: scope.local, owner: ownerEl ? serialise(ownerEl.children) : undefined };
}

/** LOCK (RFC 4918 §9.10): create, or refresh when the body is empty. */
export async function lock(ctx: DavContext): Promise<void> {
  const timeoutSeconds = lockTimeoutOf(ctx.req, ctx.lockTimeout);
  const body = await readXml(ctx);
  if (!body) {
    await refresh(ctx, timeoutSeconds);
    return;
  }
  const info = parseLockInfo(body);
  const depth = depthOf(ctx.req, ['0', 'infinity'] as const, 'infinity') as '0' | 'infinity';
  await checkIfHeader(ctx);

  const { record, created } = await ctx.locks.exclusively(async () => {
    const conflicts = [...(await ctx.locks.covering(ctx.path)), ...(depth === 'infinity' ? await ctx.locks.below(ctx.path) : [])].filter(
      (l) => info.scope === 'exclusive' || l.scope === 'exclusive',
    );
    if (conflicts.length > 0) {
      const roots = [...new Set(conflicts.map((l) => ctx.hrefs.of(ctx.locks.viewerPath(l, ctx.path) ?? ctx.path, false)))];
      throw DavError.locked('a conflicting lock exists', 'no-conflicting-lock', roots);
    }

    let created = false;
    if (!(await statOrUndefined(ctx, ctx.path))) {
      // LOCK on an unmapped URL creates an empty resource (RFC 4918 §7.3), through the Vfs.
      if (ctx.path === '/') throw DavError.conflict('no root');
      await guardWrite(ctx, { targets: [{ path: parentPath(ctx.path) }] });
      const parent = await statOrUndefined(ctx, parentPath(ctx.path));
      if (!parent || parent.kind !== 'collection') throw DavError.conflict('the parent collection does not exist');
      await storage(ctx.vfs.write(ctx.path, Readable.from([]), { expectedSize: 0 }));
      created = true;
    }
    const record = await ctx.locks.create({
      path: ctx.path,
      depth,
      scope: info.scope,
      ...(info.owner !== undefined ? { owner: info.owner } : {}),
      ...(ctx.user !== undefined ? { user: ctx.user } : {}),
      timeoutSeconds,
    });
    return { record, created };
  });
  sendXml(ctx.req, ctx.res, created ? 201 : 200, lockBody(ctx, record), { 'Lock-Token': `<${record.token}>` });
}

async function refresh(ctx: DavContext, timeoutSeconds: number): Promise<void> {
  const { tokens } = await checkIfHeader(ctx);
  if (tokens.size === 0) throw DavError.badRequest('a lock refresh needs the lock token in an If header');
  const covering = await ctx.locks.covering(ctx.path);
  const mine = covering.filter((l) => tokens.has(l.token));
  if (mine.length === 0) throw DavError.preconditionFailed('no submitted token matches a lock on this resource', 'lock-token-matches-request-uri');
  if (mine.some((l) => l.user !== ctx.user)) throw DavError.forbidden('the lock belongs to another user');
  const refreshed = await Promise.all(mine.map((l) => ctx.locks.refresh(l, timeoutSeconds)));
  sendXml(ctx.req, ctx.res, 200, lockBody(ctx, refreshed[0] as LockRecord));
}
