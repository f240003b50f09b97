import type { Entry, Usage } from '../../vfs/index.js';
import { asDavError, DavError, storage } from '../errors.js';
import { isStorageError } from '../../storage/errors.js';
import { checkIfHeader } from '../lock-check.js';
import { encodeSegment } from '../href.js';
import type { ChildLocks, LockRecord } from '../locks.js';
import { MultistatusWriter, responseXml } from '../multistatus.js';
import { renderedListings } from '../rendered-listings.js';
import { ALLPROP_LIVE, isDetail, isLive, renderLive, type LiveContext } from '../props.js';
import { depthOf, readXml, type DavContext } from '../request.js';
import { closeTag, DAV_NS, elements, emptyTag, isDav, openTag, type XmlElement } from '../xml.js';
import { propKey, type DeadProp } from '../dead-props.js';

interface Name {
  ns: string;
  local: string;
}

type Mode = { kind: 'allprop'; include: Name[] } | { kind: 'propname' } | { kind: 'prop'; names: Name[] };

function modeOf(body: XmlElement | undefined): Mode {
  if (!body) return { kind: 'allprop', include: [] };
  if (!isDav(body, 'propfind')) throw DavError.badRequest('expected DAV:propfind');
  const parts = elements(body);
  const prop = parts.find((e) => isDav(e, 'prop'));
  const include = parts.find((e) => isDav(e, 'include'));
  if (parts.some((e) => isDav(e, 'propname'))) return { kind: 'propname' };
  if (parts.some((e) => isDav(e, 'allprop'))) return { kind: 'allprop', include: include ? elements(include) : [] };
  if (prop) return { kind: 'prop', names: elements(prop).map((e) => ({ ns: e.ns, local: e.local })) };
  throw DavError.badRequest('DAV:propfind needs prop, allprop or propname');
}

export async function propfind(ctx: DavContext): Promise<void> {
  const depth = depthOf(ctx.req, ['0', '1', 'infinity'] as const, undefined);
  // A missing Depth means infinity (RFC 4918 §9.1), which we refuse: it would walk the account.
  if (depth === undefined || depth === 'infinity') {
    throw DavError.forbidden('Depth: infinity is not supported', 'propfind-finite-depth');
  }
  const mode = modeOf(await readXml(ctx));
  await checkIfHeader(ctx);
  const details = wantsDetails(mode);
  const entry = await storage(ctx.vfs.stat(ctx.path, { details }));
  let children = depth === '1' && entry.kind === 'collection' ? await storage(ctx.vfs.list(ctx.path)) : [];
  if (details && children.length > 0) children = await withDetails(ctx, children);

  const wants = (local: string) =>
    mode.kind !== 'prop' ? mode.kind === 'allprop' || local === 'lockdiscovery' : mode.names.some((n) => n.ns === DAV_NS && n.local === local);
  const wantsIncluded = (local: string) => mode.kind === 'allprop' && mode.include.some((n) => n.ns === DAV_NS && n.local === local);

  let ownLocks: readonly LockRecord[] = [];
  let childLocks: ChildLocks | undefined;
  if (wants('lockdiscovery') || wantsIncluded('lockdiscovery')) {
    ownLocks = await ctx.locks.covering(ctx.path);
    if (children.length > 0) childLocks = await ctx.locks.forChildren(ctx.path);
  }
  let usage: Usage | undefined;
  if (wants('quota-used-bytes') || wants('quota-available-bytes') || wantsIncluded('quota-used-bytes') || wantsIncluded('quota-available-bytes')) {
    usage = await storage(ctx.vfs.usage());
  }
  const ownDead = await ctx.deadProps.get(entry.path);
  const childDead = children.length > 0 ? await ctx.deadProps.forChildren(ctx.path) : undefined;

  const renderer = new Renderer(mode, { hrefs: ctx.hrefs, locks: [], lockRoot: (lock, near) => ctx.locks.viewerPath(lock, near), usage });
  const out = new MultistatusWriter(ctx.req, ctx.res);
  const own = renderer.render(entry, ownLocks, ownDead);
  out.response(ctx.hrefs.of(entry.path, entry.kind === 'collection'), own.found, own.missing);
  // Children's hrefs extend the parent's, so only their own name is encoded (not the whole path).
  const parentHref = ctx.hrefs.of(entry.path, true);
  const parentPrefix = entry.path === '/' ? '/' : `${entry.path}/`;
  // Children without locks or dead properties render from their entries and the request alone:
  // such a rendering is kept with the listing it was made from (rendered-listings.ts).
  const keyed = children.length > 0 && !details && !childLocks?.any && !childDead?.any ? renderingKey(parentHref, mode, usage) : undefined;
  const kept = keyed === undefined ? undefined : renderedListings.get(keyed, children);
  if (kept) {
    for (const part of kept) {
      out.rendered(part);
      const ready = out.ready();
      if (ready) {
        await ready;
        if (out.gone) return;
      }
    }
    await out.end();
    return;
  }
  const parts: string[] | undefined = keyed === undefined ? undefined : [];
  let part = '';
  for (const child of children) {
    const collection = child.kind === 'collection';
    const href =
      child.path === parentPrefix + child.name
        ? `${parentHref}${encodeSegment(child.name)}${collection ? '/' : ''}`
        : ctx.hrefs.of(child.path, collection);
    const { found, missing } = renderer.render(child, childLocks?.get(child.path) ?? NO_LOCKS, childDead?.get(child.path) ?? NO_PROPS);
    const xml = responseXml(href, found, missing);
    out.rendered(xml);
    if (parts) {
      part += xml;
      if (part.length >= KEPT_PART_CHARS) {
        parts.push(part);
        part = '';
      }
    }
    const ready = out.ready();
    if (ready) {
      await ready;
      if (out.gone) return;
    }
  }
  if (parts && keyed !== undefined) {
    if (part.length > 0) parts.push(part);
    renderedListings.set(keyed, children, parts);
  }
  await out.end();
}

/** Kept renderings are held in parts of about this many characters (one write each). */
const KEPT_PART_CHARS = 64 * 1024;

/** What a rendering of children depends on besides their entries: where they are, what was asked, the quota. */
function renderingKey(parentHref: string, mode: Mode, usage: Usage | undefined): string {
  const names = mode.kind === 'prop' ? mode.names : mode.kind === 'allprop' ? mode.include : [];
  return JSON.stringify([parentHref, mode.kind, names.map((n) => [n.ns, n.local]), usage ? [usage.used, usage.total] : null]);
}

/** A property named that needs each item's own document (public link, revisions). */
function wantsDetails(mode: Mode): boolean {
  const names = mode.kind === 'prop' ? mode.names : mode.kind === 'allprop' ? mode.include : [];
  return names.some((n) => isDetail(n.ns, n.local));
}

/** How many items' own documents are asked for at once. */
const DETAIL_CONCURRENCY = 4;

/** The children again, each from its own document; one that vanished meanwhile keeps its listing entry. */
async function withDetails(ctx: DavContext, children: readonly Entry[]): Promise<readonly Entry[]> {
  const out = [...children];
  let next = 0;
  const worker = async () => {
    while (next < out.length) {
      const i = next++;
      try {
        out[i] = await ctx.vfs.stat(out[i]!.path, { details: true });
      } catch (error) {
        if (!isStorageError(error, 'NOT_FOUND')) throw asDavError(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DETAIL_CONCURRENCY, out.length) }, worker));
  return out;
}

const NO_LOCKS: readonly LockRecord[] = Object.freeze([]);
const NO_PROPS: Readonly<Record<string, DeadProp>> = Object.freeze({});

/** A requested property, with what does not depend on the resource worked out once. */
interface Wanted {
  ns: string;
  local: string;
  live: boolean;
  /** Key in a dead-property record. */
  key: string;
  /** The element as it appears under 404 (or in a propname answer). */
  empty: string;
  /** An allprop include that allprop already answers. */
  covered: boolean;
}

/**
 * Live properties whose value depends only on the resource's kind (and the request), so that a
 * listing renders them once per kind instead of once per child. lockdiscovery is one of them
 * only when no lock covers the resource.
 */
const PER_KIND = new Set(['resourcetype', 'supportedlock', 'quota-used-bytes', 'quota-available-bytes']);

/** Renders each resource's propstats for one PROPFIND; keeps what repeats across children. */
class Renderer {
  private readonly wanted: Wanted[];
  private readonly perKind = new Map<string, string | undefined>();

  constructor(
    private readonly mode: Mode,
    /** Shared across resources: only `locks` changes, per resource. */
    private readonly live: LiveContext,
  ) {
    const names = mode.kind === 'prop' ? mode.names : mode.kind === 'allprop' ? mode.include : [];
    this.wanted = names.map((n) => ({
      ns: n.ns,
      local: n.local,
      live: isLive(n.ns, n.local),
      key: propKey(n.ns, n.local),
      empty: emptyTag(n.ns, n.local),
      covered: n.ns === DAV_NS && (ALLPROP_LIVE as readonly string[]).includes(n.local),
    }));
  }

  render(entry: Entry, locks: readonly LockRecord[], dead: Readonly<Record<string, DeadProp>>): { found: string[]; missing: string[] } {
    const found: string[] = [];
    const missing: string[] = [];
    const hasDead = dead !== NO_PROPS;
    if (this.mode.kind === 'propname') {
      for (const local of ALLPROP_LIVE) if (this.liveValue(DAV_NS, local, entry, locks) !== undefined) found.push(this.emptyOf(local));
      if (hasDead) for (const p of Object.values(dead)) found.push(emptyTag(p.ns, p.local));
    } else if (this.mode.kind === 'allprop') {
      for (const local of ALLPROP_LIVE) {
        const value = this.liveValue(DAV_NS, local, entry, locks);
        if (value !== undefined) found.push(value);
      }
      if (hasDead) for (const p of Object.values(dead)) found.push(deadElement(p));
      for (const n of this.wanted) {
        if (n.covered || (hasDead && dead[n.key])) continue;
        const value = n.live ? this.liveValue(n.ns, n.local, entry, locks) : undefined;
        if (value !== undefined) found.push(value);
        else missing.push(n.empty);
      }
    } else {
      for (const n of this.wanted) {
        const stored = hasDead ? dead[n.key] : undefined;
        const value = n.live ? this.liveValue(n.ns, n.local, entry, locks) : stored ? deadElement(stored) : undefined;
        if (value !== undefined) found.push(value);
        else missing.push(n.empty);
      }
    }
    return { found, missing };
  }

  private liveValue(ns: string, local: string, entry: Entry, locks: readonly LockRecord[]): string | undefined {
    this.live.locks = locks as LockRecord[];
    if (ns !== DAV_NS || !(PER_KIND.has(local) || (local === 'lockdiscovery' && locks.length === 0))) return renderLive(ns, local, entry, this.live);
    const key = `${entry.kind}:${local}`;
    if (this.perKind.has(key)) return this.perKind.get(key);
    const value = renderLive(ns, local, entry, this.live);
    this.perKind.set(key, value);
    return value;
  }

  private readonly emptyTags = new Map<string, string>();

  private emptyOf(local: string): string {
    let tag = this.emptyTags.get(local);
    if (tag === undefined) this.emptyTags.set(local, (tag = emptyTag(DAV_NS, local)));
    return tag;
  }
}

function deadElement(p: DeadProp): string {
  return `${openTag(p.ns, p.local)}${p.xml}${closeTag(p.ns, p.local)}`;
}
