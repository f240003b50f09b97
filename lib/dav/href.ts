import { splitPath } from '../util/paths.js';
import { decodeHrefSegment, encodeHrefSegment } from '../vfs/index.js';
import { DavError } from './errors.js';
import { MAX_PATH_DEPTH, MAX_URI_LENGTH } from './limits.js';

/**
 * Client paths ⇄ hrefs. Hrefs are path-only ('/base/a%20b/'), percent-encoded with upper-case
 * hex, and end in '/' for collections. encodeURIComponent leaves `()!*'~` alone, which gvfs
 * needs (a client that meets `%28` where it sent `(` fails to match the names), and escapes everything else
 * outside the unreserved set with upper-case hex. A name holding bytes that are not UTF-8 (written
 * by another tool) travels as those raw bytes, `%E9`, where encodeURIComponent would throw.
 */
export function encodeSegment(segment: string): string {
  return encodeHrefSegment(segment);
}

/** Builds hrefs below a base path ('/' or '/dav/'; given unencoded). */
export class Hrefs {
  private readonly prefix: string;

  constructor(readonly basePath: string) {
    const base = splitPath(basePath).map(encodeSegment);
    this.prefix = base.length === 0 ? '/' : `/${base.join('/')}/`;
  }

  of(path: string, collection: boolean): string {
    const segments = splitPath(path).map(encodeSegment);
    const joined = this.prefix + segments.join('/');
    return collection && segments.length > 0 ? `${joined}/` : joined;
  }
}

/** '/dav' → '/dav/', '' → '/'. */
export function normaliseBasePath(basePath: string): string {
  const segments = splitPath(basePath);
  return segments.length === 0 ? '/' : `/${segments.join('/')}/`;
}

export interface DecodedPath {
  /** Client path within the base path: '/', '/a/b'. */
  path: string;
  trailingSlash: boolean;
}

/**
 * Decodes the path part of a request target (or Destination) into a client path below
 * `basePath`. undefined when it lies outside the base path. Malformed escapes, encoded '/',
 * NUL, '.' and '..' segments are a 400: they would let a name escape its folder. A path longer
 * or deeper than the limits is a 414, decided before any segment is decoded.
 */
export function decodeRequestPath(rawPath: string, basePath: string): DecodedPath | undefined {
  if (!rawPath.startsWith('/')) throw DavError.badRequest('the request target must be an absolute path');
  if (rawPath.length > MAX_URI_LENGTH) throw DavError.uriTooLong(`the path is longer than ${MAX_URI_LENGTH} characters`);
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    if (segments.length === MAX_PATH_DEPTH) throw DavError.uriTooLong(`the path is deeper than ${MAX_PATH_DEPTH} segments`);
    let segment: string;
    try {
      segment = decodeHrefSegment(raw);
    } catch {
      throw DavError.badRequest('malformed percent-encoding in the path');
    }
    if (segment.includes('/') || segment.includes('\0')) throw DavError.badRequest('encoded "/" or NUL in a path segment');
    if (segment === '.' || segment === '..') throw DavError.badRequest('dot segments are not allowed');
    // Names go to the Vfs as sent: it normalises (Finder sends NFD) where it compares and creates
    // names, and only as sent can an NFD name that older data holds beside its NFC twin be addressed.
    segments.push(segment);
  }
  const baseSegments = splitPath(basePath);
  for (let i = 0; i < baseSegments.length; i++) {
    if (segments[i]?.normalize('NFC') !== baseSegments[i]?.normalize('NFC')) return undefined;
  }
  const rest = segments.slice(baseSegments.length);
  return { path: `/${rest.join('/')}`, trailingSlash: rawPath.endsWith('/') };
}

/**
 * The client path named by a Destination header or an If Resource-Tag: an absolute URI or an
 * absolute path. `foreign` when it names another host (COPY/MOVE answer 502), `outside` when it
 * lies outside the base path.
 */
export function pathOfUri(
  uri: string,
  basePath: string,
  host: string | undefined,
): DecodedPath | 'foreign' | 'outside' {
  if (uri.length > MAX_URI_LENGTH) throw DavError.uriTooLong(`a URI longer than ${MAX_URI_LENGTH} characters`);
  let rawPath: string;
  if (uri.startsWith('/')) rawPath = uri;
  else {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw DavError.badRequest('malformed URI');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'foreign';
    if (host !== undefined && url.host.toLowerCase() !== host.toLowerCase()) return 'foreign';
    rawPath = url.pathname;
  }
  const hash = rawPath.indexOf('#');
  if (hash >= 0) rawPath = rawPath.slice(0, hash);
  const query = rawPath.indexOf('?');
  if (query >= 0) rawPath = rawPath.slice(0, query);
  return decodeRequestPath(rawPath, basePath) ?? 'outside';
}
