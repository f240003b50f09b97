import { DEFAULT_CONTENT_TYPE, type Entry, type Revision, type Usage } from '../vfs/index.js';
import type { Hrefs } from './href.js';
import type { LockRecord } from './locks.js';
import { closeTag, DAV_NS, emptyTag, escapeXml, openTag } from './xml.js';

/** Live properties: computed from the Vfs entry (and locks), never stored. */

export const OC_NS = 'http://owncloud.org/ns';

/** What RFC 4918 §14.2 allprop returns besides dead properties. */
export const ALLPROP_LIVE = [
  'creationdate',
  'displayname',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'getlastmodified',
  'resourcetype',
  'lockdiscovery',
  'supportedlock',
] as const;

const OTHER_LIVE = new Set(['quota-available-bytes', 'quota-used-bytes']);

/** Live properties a PROPPATCH may not change (RFC 4918 §15: protected). */
export const PROTECTED = new Set([
  'creationdate',
  'displayname',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'resourcetype',
  'lockdiscovery',
  'supportedlock',
  'quota-available-bytes',
  'quota-used-bytes',
]);

/** Our own namespace, for what Jottacloud knows and WebDAV has no property for. All read-only. */
export const JOTTADAV_NS = 'urn:x-jottadav';

/**
 * Properties that need the item's own document from Jottacloud (one request per resource), so
 * they are computed only when a PROPFIND names them, never for allprop.
 */
const DETAILS = new Set(['public-link', 'revisions']);

export function isDetail(ns: string, local: string): boolean {
  return ns === JOTTADAV_NS && DETAILS.has(local);
}

export function isLive(ns: string, local: string): boolean {
  if (ns === DAV_NS) return (ALLPROP_LIVE as readonly string[]).includes(local) || OTHER_LIVE.has(local);
  return (ns === OC_NS && local === 'checksums') || isDetail(ns, local);
}

/** PROPPATCH may not change these (RFC 4918: protected properties). */
export function isProtected(ns: string, local: string): boolean {
  return (ns === DAV_NS && PROTECTED.has(local)) || isDetail(ns, local);
}

export interface LiveContext {
  hrefs: Hrefs;
  /** Locks covering the entry (for lockdiscovery). */
  locks: LockRecord[];
  /**
   * A lock's root as a path of the viewer's, given the entry's path (LockManager.viewerPath);
   * undefined for a root outside the viewer's root. Default: the path its creator used.
   */
  lockRoot?: (lock: LockRecord, near: string) => string | undefined;
  usage: Usage | undefined;
}

export function quotedEtag(entry: Entry): string | undefined {
  return entry.etag === undefined ? undefined : `"${entry.etag}"`;
}

export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** The type the vfs derived from the current name, else the generic one. */
export function contentTypeOf(entry: Entry): string {
  return entry.contentType ?? DEFAULT_CONTENT_TYPE;
}

/** The rendered element, or undefined when the resource does not have this property (→ 404). */
export function renderLive(ns: string, local: string, entry: Entry, ctx: LiveContext): string | undefined {
  const wrap = (inner: string) => `${openTag(ns, local)}${inner}${closeTag(ns, local)}`;
  const file = entry.kind === 'file';
  if (ns === OC_NS) {
    return local === 'checksums' && entry.md5 ? wrap(`<x:checksum>MD5:${entry.md5}</x:checksum>`) : undefined;
  }
  if (ns === JOTTADAV_NS) {
    if (local === 'public-link') return entry.publicLink ? wrap(escapeXml(entry.publicLink)) : undefined;
    return local === 'revisions' && file && entry.revisions ? wrap(entry.revisions.map(revisionXml).join('')) : undefined;
  }
  switch (local) {
    case 'creationdate':
      return entry.created ? wrap(isoSeconds(entry.created)) : undefined;
    case 'displayname':
      return wrap(escapeXml(entry.name));
    case 'getcontentlength':
      return file ? wrap(String(entry.size)) : undefined;
    case 'getcontenttype':
      return file ? wrap(escapeXml(contentTypeOf(entry))) : undefined;
    case 'getetag': {
      const etag = quotedEtag(entry);
      return etag ? wrap(escapeXml(etag)) : undefined;
    }
    case 'getlastmodified':
      return entry.modified ? wrap(httpDate(entry.modified)) : undefined;
    case 'resourcetype':
      return file ? emptyTag(DAV_NS, 'resourcetype') : wrap('<D:collection/>');
    case 'lockdiscovery':
      return wrap(ctx.locks.map((l) => activeLock(l, ctx.hrefs, ctx.lockRoot ? ctx.lockRoot(l, entry.path) : l.path)).join(''));
    case 'supportedlock':
      return wrap(
        '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
          '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>',
      );
    case 'quota-used-bytes':
      return !file && ctx.usage ? wrap(String(ctx.usage.used)) : undefined;
    case 'quota-available-bytes':
      return !file && ctx.usage?.total !== undefined ? wrap(String(Math.max(0, ctx.usage.total - ctx.usage.used))) : undefined;
    default:
      return undefined;
  }
}

/** `<x:revision>` inside `<x:revisions>` (which binds the x prefix); times in RFC 3339 UTC like creationdate. */
function revisionXml(r: Revision): string {
  const el = (name: string, value: string | number | undefined) => (value === undefined ? '' : `<x:${name}>${escapeXml(String(value))}</x:${name}>`);
  return (
    '<x:revision>' +
    el('number', r.number) + el('state', r.state) + el('size', r.size) + el('md5', r.md5) +
    el('modified', r.modified && isoSeconds(r.modified)) + el('created', r.created && isoSeconds(r.created)) +
    el('updated', r.updated && isoSeconds(r.updated)) +
    '</x:revision>'
  );
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `root`: the lock root as a path of the viewer's. A lock taken above the viewer's root has no
 * such path; its lockroot is left out rather than shown as a path that names another resource.
 */
export function activeLock(lock: LockRecord, hrefs: Hrefs, root: string | undefined): string {
  const remaining = Math.max(0, Math.round((lock.expiresAt - Date.now()) / 1000));
  return (
    '<D:activelock>' +
    `<D:locktype><D:write/></D:locktype><D:lockscope><D:${lock.scope}/></D:lockscope>` +
    `<D:depth>${lock.depth === '0' ? '0' : 'infinity'}</D:depth>` +
    (lock.owner !== undefined ? `<D:owner>${lock.owner}</D:owner>` : '') +
    `<D:timeout>Second-${remaining}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(lock.token)}</D:href></D:locktoken>` +
    (root !== undefined ? `<D:lockroot><D:href>${escapeXml(hrefs.of(root, false))}</D:href></D:lockroot>` : '') +
    '</D:activelock>'
  );
}
