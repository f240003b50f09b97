import type { Entry, Usage } from '../../vfs/index.js';
import { DavError, storage } from '../errors.js';
import { checkIfHeader } from '../lock-check.js';
import type { LockRecord } from '../locks.js';
import { Multistatus } from '../multistatus.js';
import { ALLPROP_LIVE, isLive, renderLive, type LiveContext } from '../props.js';
import { depthOf, readXml, type DavContext } from '../request.js';
import { sendXml } from '../respond.js';
import { closeTag, DAV_NS, elements, emptyTag, isDav, openTag, type XmlElement } from '../xml.js';
import type { DeadProp } from '../dead-props.js';

interface Name {
  ns: string;
  local: string;
}

type Mode = { kind: 'allprop'; include: Name[] } | { kind: 'propname' } | { kind: 'prop'; names: Name[] };

function modeOf(body: XmlElement | undefined): Mode {
  if (!body) return { kind: 'allprop', include: [] };
  if (!isDav(body, 'propfind')) throw new DavError(400, 'expected DAV:propfind');
  const parts = elements(body);
  const prop = parts.find((e) => isDav(e, 'prop'));
  const include = parts.find((e) => isDav(e, 'include'));
  if (parts.some((e) => isDav(e, 'propname'))) return { kind: 'propname' };
  if (parts.some((e) => isDav(e, 'allprop'))) return { kind: 'allprop', include: include ? elements(include) : [] };
  if (prop) return { kind: 'prop', names: elements(prop).map((e) => ({ ns: e.ns, local: e.local })) };
  throw new DavError(400, 'DAV:propfind needs prop, allprop or propname');
}

export async function propfind(ctx: DavContext): Promise<void> {
  const depth = depthOf(ctx.req, ['0', '1', 'infinity'] as const, undefined);
  // A missing Depth means infinity (RFC 4918 §9.1), which we refuse: it would walk the account.
  if (depth === undefined || depth === 'infinity') {
    throw new DavError(403, 'Depth: infinity is not supported', 'propfind-finite-depth');
  }
  const mode = modeOf(await readXml(ctx));
  await checkIfHeader(ctx);
  const entry = await storage(ctx.vfs.stat(ctx.path));
  const children = depth === '1' && entry.kind === 'collection' ? await storage(ctx.vfs.list(ctx.path)) : [];

  const wants = (local: string) =>
    mode.kind !== 'prop' ? mode.kind === 'allprop' || local === 'lockdiscovery' : mode.names.some((n) => n.ns === DAV_NS && n.local === local);
  const wantsIncluded = (local: string) => mode.kind === 'allprop' && mode.include.some((n) => n.ns === DAV_NS && n.local === local);

  const all = [entry, ...children];
  const childPaths = children.map((c) => c.path);
  const ownLocks = new Map<string, LockRecord[]>();
  if (wants('lockdiscovery') || wantsIncluded('lockdiscovery')) {
    ownLocks.set(entry.path, await ctx.locks.covering(ctx.path));
    if (children.length > 0) for (const [p, l] of await ctx.locks.forChildren(ctx.path, childPaths)) ownLocks.set(p, l);
  }
  let usage: Usage | undefined;
  if (wants('quota-used-bytes') || wants('quota-available-bytes') || wantsIncluded('quota-used-bytes') || wantsIncluded('quota-available-bytes')) {
    usage = await storage(ctx.vfs.usage());
  }
  const dead = new Map<string, Record<string, DeadProp>>([[entry.path, await ctx.deadProps.get(entry.path)]]);
  if (children.length > 0) for (const [p, d] of await ctx.deadProps.forChildren(ctx.path, childPaths)) dead.set(p, d);

  const ms = new Multistatus();
  for (const e of all) {
    const live: LiveContext = { hrefs: ctx.hrefs, locks: ownLocks.get(e.path) ?? [], usage };
    ms.propstats(ctx.hrefs.of(e.path, e.kind === 'collection'), render(mode, e, live, dead.get(e.path) ?? {}));
  }
  sendXml(ctx.req, ctx.res, 207, ms.toString());
}

function render(mode: Mode, entry: Entry, live: LiveContext, dead: Record<string, DeadProp>): Map<number, string[]> {
  const found: string[] = [];
  const missing: string[] = [];
  const deadElement = (p: DeadProp) => `${openTag(p.ns, p.local)}${p.xml}${closeTag(p.ns, p.local)}`;
  if (mode.kind === 'propname') {
    for (const local of ALLPROP_LIVE) if (renderLive(DAV_NS, local, entry, live) !== undefined) found.push(emptyTag(DAV_NS, local));
    for (const p of Object.values(dead)) found.push(emptyTag(p.ns, p.local));
  } else if (mode.kind === 'allprop') {
    for (const local of ALLPROP_LIVE) {
      const value = renderLive(DAV_NS, local, entry, live);
      if (value !== undefined) found.push(value);
    }
    for (const p of Object.values(dead)) found.push(deadElement(p));
    for (const n of mode.include) {
      if ((n.ns === DAV_NS && (ALLPROP_LIVE as readonly string[]).includes(n.local)) || dead[`{${n.ns}}${n.local}`]) continue;
      const value = isLive(n.ns, n.local) ? renderLive(n.ns, n.local, entry, live) : undefined;
      if (value !== undefined) found.push(value);
      else missing.push(emptyTag(n.ns, n.local));
    }
  } else {
    for (const n of mode.names) {
      const stored = dead[`{${n.ns}}${n.local}`];
      const value = isLive(n.ns, n.local) ? renderLive(n.ns, n.local, entry, live) : stored ? deadElement(stored) : undefined;
      if (value !== undefined) found.push(value);
      else missing.push(emptyTag(n.ns, n.local));
    }
  }
  return new Map([
    [200, found],
    [404, missing],
  ]);
}
