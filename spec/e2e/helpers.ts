/**
 * Shared by the e2e specs: raw WebDAV requests against the bridge, and an independent view of
 * the emulator's side (its JFS XML over HTTP with a session of its own, and its request log), so
 * the specs check what really reached "Jottacloud" rather than what the bridge says it did.
 */
import { createClient, type WebDAVClient } from 'webdav';
import type { RequestLogEntry } from '../../lib/emulator/index.js';
import { allText, escapePath, session, unescapeXml, type Session } from '../emulator/helpers.js';
import type { Stack } from '../support/stack.js';

/** Percent-encodes every segment of a client path (`+`, `#`, `%`, `?` included). */
export function href(path: string): string {
  return path
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

export interface DavInit {
  headers?: Record<string, string>;
  body?: string | Buffer | Uint8Array;
}

/** One request to the bridge with the first user's Basic auth; `path` is a client path. */
export function dav(stack: Stack, method: string, path: string, init: DavInit = {}): Promise<Response> {
  const url = new URL(href(path).replace(/^\//, ''), stack.url);
  return fetch(url, { method, headers: { Authorization: stack.authHeader(), ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
}

/** The absolute URL of a client path on the bridge, as a Destination header wants it. */
export function destinationOf(stack: Stack, path: string): string {
  return new URL(href(path).slice(1), stack.url).href;
}

/** GET through the bridge: the status and the body as text. */
export async function getText(stack: Stack, path: string): Promise<{ status: number; body: string }> {
  const res = await dav(stack, 'GET', path);
  return { status: res.status, body: await res.text() };
}

export function client(stack: Stack): WebDAVClient {
  return createClient(stack.url, { username: stack.user, password: stack.password });
}

/** The decoded `<D:href>` values of a multistatus, in order. */
export function hrefsOf(xml: string): string[] {
  return [...xml.matchAll(/<(?:[A-Za-z]+:)?href>([^<]*)<\/(?:[A-Za-z]+:)?href>/g)].map((m) => decodeURIComponent(unescapeXml(m[1]!)));
}

/** PROPFIND with an allprop body; returns the status and the raw XML. */
export async function propfind(stack: Stack, path: string, depth: '0' | '1', body?: string): Promise<{ status: number; xml: string }> {
  const res = await dav(stack, 'PROPFIND', path, { headers: { Depth: depth, 'Content-Type': 'application/xml' }, body: body ?? '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>' });
  return { status: res.status, xml: await res.text() };
}

/** The `<response>` element of a multistatus whose href ends with `path` (client form). */
export function responseFor(xml: string, path: string): string | undefined {
  for (const m of xml.matchAll(/<(?:[A-Za-z]+:)?response\b[^>]*>([\s\S]*?)<\/(?:[A-Za-z]+:)?response>/g)) {
    const hrefs = hrefsOf(m[0]);
    const h = hrefs[0]?.replace(/\/$/, '');
    if (h !== undefined && (h === path.replace(/\/$/, '') || h.endsWith(path.replace(/\/$/, '')))) return m[0];
  }
  return undefined;
}

/** Text of the first element with that local name (any prefix). */
export function propText(xml: string, local: string): string | undefined {
  const m = new RegExp(`<(?:[A-Za-z0-9]+:)?${local}\\b[^>]*>([^<]*)</(?:[A-Za-z0-9]+:)?${local}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : undefined;
}

export interface RemoteChild {
  kind: 'file' | 'folder';
  name: string;
  deleted: boolean;
}

/**
 * The emulator seen from outside: its own login session, JFS XML documents read with small
 * regexes (an independent reading), below the bridge's default device and mount point.
 */
export class RemoteView {
  private constructor(
    readonly stack: Stack,
    readonly session: Session,
  ) {}

  static async open(stack: Stack): Promise<RemoteView> {
    return new RemoteView(stack, await session(stack.emulator));
  }

  /** JFS path of a remote (already encoded) path below Jotta/Archive. */
  private jfsPath(remote: string): string {
    return `Jotta/Archive${remote === '/' || remote === '' ? '' : '/' + remote.replace(/^\//, '')}`;
  }

  async document(remote: string): Promise<{ status: number; xml: string }> {
    const res = await this.session.get(this.jfsPath(remote));
    return { status: res.status, xml: await res.text() };
  }

  /** The children of a remote folder as the service stores them (names decoded from XML only). */
  async children(remote = '/'): Promise<RemoteChild[]> {
    const { status, xml } = await this.document(remote);
    if (status !== 200) throw new Error(`JFS GET ${remote}: ${status} ${xml}`);
    const out: RemoteChild[] = [];
    const folders = /<folders>([\s\S]*?)<\/folders>/.exec(xml)?.[1] ?? '';
    for (const m of folders.matchAll(/<folder\s([^>]*?)\/?>/g)) {
      out.push({ kind: 'folder', name: unescapeXml(/name="([^"]*)"/.exec(m[1]!)![1]!), deleted: /\sdeleted="/.test(` ${m[1]}`) });
    }
    const files = /<files>([\s\S]*?)<\/files>/.exec(xml)?.[1] ?? '';
    for (const m of files.matchAll(/<file\s([^>]*?)>/g)) {
      out.push({ kind: 'file', name: unescapeXml(/name="([^"]*)"/.exec(m[1]!)![1]!), deleted: /\sdeleted="/.test(` ${m[1]}`) });
    }
    return out;
  }

  /** Names of the live children. */
  async live(remote = '/'): Promise<string[]> {
    return (await this.children(remote)).filter((c) => !c.deleted).map((c) => c.name).sort();
  }

  /** The current revision of a remote file: modified (JottaTime text), md5, size, and revision count. */
  async file(remote: string): Promise<{ status: number; modified?: string; md5?: string; size?: number; revisions: number; xml: string }> {
    const { status, xml } = await this.document(remote);
    const current = /<currentRevision>([\s\S]*?)<\/currentRevision>/.exec(xml)?.[1] ?? '';
    const size = /<size>(\d+)<\/size>/.exec(current)?.[1];
    const modified = /<modified>([^<]*)<\/modified>/.exec(current)?.[1];
    const md5 = /<md5>([^<]*)<\/md5>/.exec(current)?.[1];
    const older = /<revisions>([\s\S]*?)<\/revisions>/.exec(xml)?.[1] ?? '';
    const revisions = (current ? 1 : 0) + [...older.matchAll(/<revision>/g)].length;
    return { status, xml, revisions, ...(modified ? { modified } : {}), ...(md5 ? { md5 } : {}), ...(size !== undefined ? { size: Number(size) } : {}) };
  }

  /** Names listed in the account's Trash view (Jotta/Trash). */
  async trashNames(): Promise<string[]> {
    const res = await this.session.get('Jotta/Trash');
    const xml = await res.text();
    if (res.status !== 200) throw new Error(`Trash: ${res.status} ${xml}`);
    return [...xml.matchAll(/<(?:file|folder)\s[^>]*?name="([^"]*)"/g)].map((m) => unescapeXml(m[1]!));
  }

  /** Stores a file straight on the emulator (remote name, no bridge involved). */
  async upload(remote: string, data: Buffer | string): Promise<void> {
    await this.session.upload(this.jfsPath(remote), data);
  }

  async mkdir(remote: string): Promise<void> {
    const res = await this.session.post(this.jfsPath(remote), 'mkDir=true');
    if (res.status !== 200 && res.status !== 201) throw new Error(`mkDir ${remote}: ${res.status} ${await res.text()}`);
  }
}

/** Request-log entries after `since` (an index into the log). */
export function logSince(stack: Stack, since: number): RequestLogEntry[] {
  return stack.emulator.controls.requests().slice(since);
}

export function logLength(stack: Stack): number {
  return stack.emulator.controls.requests().length;
}

/** The request log's decoded paths, for "did this name ever reach the service" checks. */
export function decodedPaths(entries: RequestLogEntry[]): string[] {
  return entries.map((e) => {
    try {
      return decodeURIComponent(e.path.replace(/\+/g, ' ')) + '?' + decodeURIComponent(e.query.replace(/\+/g, ' '));
    } catch {
      return e.path + '?' + e.query;
    }
  });
}

export const isAllocate = (e: RequestLogEntry) => e.method === 'POST' && e.path.endsWith('/files/v1/allocate');
export const isUploadBytes = (e: RequestLogEntry) => e.method === 'POST' && e.path.includes('/upload/');
/**
 * A JFS folder/file document GET below a mount point (a listing), as opposed to downloads
 * (mode=bin) and the account/device documents (/jfs/{user}, /jfs/{user}/{device}).
 */
export const isJfsListing = (e: RequestLogEntry) => e.method === 'GET' && /^\/jfs\/[^/]+\/[^/]+\/[^/]+/.test(e.path) && !/(^|&)mode=bin/.test(e.query);

export { allText, escapePath };
