import { DavError, storage } from '../errors.js';
import { guardWrite } from '../lock-check.js';
import { Multistatus } from '../multistatus.js';
import { propKey, type DeadProp } from '../dead-props.js';
import { isProtected } from '../props.js';
import { readXml, type DavContext } from '../request.js';
import { sendXml } from '../respond.js';
import { DAV_NS, elements, emptyTag, isDav, serialise, textOf } from '../xml.js';

const MS_NS = 'urn:schemas-microsoft-com:';

interface Operation {
  action: 'set' | 'remove';
  ns: string;
  local: string;
  xml: string;
  text: string;
}

/** Properties that set the file's modification time through the Vfs. */
function isTimeProp(ns: string, local: string): boolean {
  return (ns === DAV_NS && (local === 'getlastmodified' || local === 'lastmodified')) || (ns === MS_NS && local === 'Win32LastModifiedTime');
}

/** Windows' and Office's time properties: the lock owner may set them without the token. */
function isWin32OrTime(op: Operation): boolean {
  return isTimeProp(op.ns, op.local) || (op.ns === MS_NS && op.local.startsWith('Win32'));
}

/** RFC 1123 dates, ISO 8601, or Unix seconds (rclone's DAV:lastmodified). */
function parseTime(text: string): Date | undefined {
  const t = text.trim();
  const ms = /^\d{1,12}(\.\d+)?$/.test(t) ? Number(t) * 1000 : Date.parse(t);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

function operationsOf(body: ReturnType<typeof elements>[number] | undefined): Operation[] {
  if (!body || !isDav(body, 'propertyupdate')) throw DavError.badRequest('expected DAV:propertyupdate');
  const ops: Operation[] = [];
  for (const block of elements(body)) {
    if (!isDav(block, 'set') && !isDav(block, 'remove')) continue;
    for (const prop of elements(block).filter((e) => isDav(e, 'prop'))) {
      for (const p of elements(prop)) {
        ops.push({ action: block.local as 'set' | 'remove', ns: p.ns, local: p.local, xml: serialise(p.children), text: textOf(p) });
      }
    }
  }
  if (ops.length === 0) throw DavError.badRequest('PROPPATCH without properties');
  return ops;
}

/**
 * PROPPATCH (RFC 4918 §9.2): all instructions in document order, all or nothing. When one
 * fails, it carries its own status and every other one 424 Failed Dependency.
 */
export async function proppatch(ctx: DavContext): Promise<void> {
  const ops = operationsOf(await readXml(ctx));
  await guardWrite(ctx, { targets: [{ path: ctx.path }], tolerateOwner: ops.every(isWin32OrTime) });
  const entry = await storage(ctx.vfs.stat(ctx.path));

  const failures = new Map<Operation, number>();
  let modified: Date | undefined;
  for (const op of ops) {
    if (isProtected(op.ns, op.local)) failures.set(op, 403);
    else if (isTimeProp(op.ns, op.local) && op.action === 'set') {
      const date = parseTime(op.text);
      if (!date) failures.set(op, 409);
      else modified = date;
    }
  }

  const ms = new Multistatus();
  const href = ctx.hrefs.of(entry.path, entry.kind === 'collection');
  const tag = (op: Operation) => emptyTag(op.ns, op.local);
  if (failures.size > 0) {
    const byStatus = new Map<number, string[]>();
    for (const op of ops) {
      const status = failures.get(op) ?? 424;
      byStatus.set(status, [...(byStatus.get(status) ?? []), tag(op)]);
    }
    ms.propstats(href, byStatus);
    sendXml(ctx.req, ctx.res, 207, ms.toString());
    return;
  }

  await ctx.deadProps.update(ctx.path, async (current) => {
    const next: Record<string, DeadProp> = { ...current };
    for (const op of ops) {
      // DAV:getlastmodified and DAV:lastmodified are live: they only move the Vfs time.
      if (op.ns === DAV_NS && (op.local === 'getlastmodified' || op.local === 'lastmodified')) continue;
      const key = propKey(op.ns, op.local);
      if (op.action === 'set') next[key] = { ns: op.ns, local: op.local, xml: op.xml };
      else delete next[key];
    }
    if (modified) await storage(ctx.vfs.setModified(ctx.path, modified));
    return next;
  });
  ms.propstats(href, new Map([[200, ops.map(tag)]]));
  sendXml(ctx.req, ctx.res, 207, ms.toString());
}
