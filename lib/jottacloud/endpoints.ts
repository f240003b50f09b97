/**
 * Base URLs and the three path layouts (docs/jottacloud-protocol.md "Hosts" and "Paths").
 */

export interface Endpoints {
  /** The XML "Jottacloud File System" API; ends with `/jfs/`. */
  jfs: string;
  /** JSON APIs (customer, allocate, purge_trash); ends with `/`. */
  api: string;
  /** Only used to compose public links. */
  www: string;
}

/** The real service. Every base can be overridden; that is how the emulator is reached. */
export const DEFAULT_ENDPOINTS: Readonly<Endpoints> = Object.freeze({
  jfs: 'https://jfs.jottacloud.com/jfs/',
  api: 'https://api.jottacloud.com/',
  www: 'https://www.jottacloud.com/',
});

/** The service's own device, whose Trash mount point holds the account's trash. */
export const TRASH_DEVICE = 'Jotta';

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Fills in defaults and normalises trailing slashes; rejects non-http(s) bases. */
export function resolveEndpoints(overrides: Partial<Endpoints> = {}): Endpoints {
  const out = { ...DEFAULT_ENDPOINTS } as Endpoints;
  for (const key of ['jfs', 'api', 'www'] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new TypeError(`endpoint ${key}: not a URL: ${value}`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError(`endpoint ${key}: not http(s): ${value}`);
    out[key] = withSlash(value);
  }
  return out;
}

/**
 * Escapes one path segment: a superset of rclone's escaping. encodeURIComponent leaves
 * `!'()*` alone, so those are encoded too. Jottacloud decodes a raw `+` in a path as a space (a
 * file `notepad++.exe` is reached as `notepad%2B%2B.exe`), so `+` must always be `%2B` —
 * encodeURIComponent guarantees that, as it does for `#`, `?` and `%`.
 */
export function escapeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `{jfs}{seg}/{seg}/…` with every segment escaped. */
export function jfsUrl(base: string, segments: readonly string[], query?: Record<string, string>): string {
  const path = segments.map(escapeSegment).join('/');
  return withQuery(`${base}${path}`, query);
}

/**
 * Query strings use form encoding like Go's url.Values.Encode: keys sorted, space `+`,
 * `+` `%2B`, `/` `%2F`.
 */
export function withQuery(url: string, query?: Record<string, string>): string {
  if (!query) return url;
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) params.append(key, query[key]!);
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

/** Absolute JFS path for mv/cp/mvDir values: `/{user}/{device}/{mountpoint}/…`, unescaped. */
export function absoluteJfsPath(user: string, device: string, mountPoint: string, segments: readonly string[]): string {
  return `/${[user, device, mountPoint, ...segments].join('/')}`;
}

/** Allocate path: literally `/jfs/{device}/{mountpoint}/…`, no username, unescaped. */
export function allocatePath(device: string, mountPoint: string, segments: readonly string[]): string {
  return `/${['jfs', device, mountPoint, ...segments].join('/')}`;
}

/** liststream path form: `/{mountpoint}/…` (no user, no device). */
export function liststreamPath(mountPoint: string, segments: readonly string[]): string {
  return `/${[mountPoint, ...segments].join('/')}`;
}

/** Public download link: `{www}opin/io/downloadPublic/{user}/{publicURI}`. */
export function publicLink(www: string, user: string, publicURI: string): string {
  return `${withSlash(www)}opin/io/downloadPublic/${escapeSegment(user)}/${escapeSegment(publicURI)}`;
}
