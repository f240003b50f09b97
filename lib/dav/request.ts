import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Vfs } from '../vfs/index.js';
import { DavError } from './errors.js';
import type { Hrefs } from './href.js';
import type { DeadProps } from './dead-props.js';
import type { LockManager } from './locks.js';
import { XML_BODY_LIMIT } from './limits.js';
import { parseXml, type XmlElement } from './xml.js';

export interface LockTimeoutBounds {
  defaultSeconds: number;
  minSeconds: number;
  maxSeconds: number;
}

/** Everything a method handler needs for one request. */
export interface DavContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Client path within the base path (NFC, no trailing slash). */
  path: string;
  trailingSlash: boolean;
  user: string | undefined;
  readOnly: boolean;
  vfs: Vfs;
  locks: LockManager;
  deadProps: DeadProps;
  hrefs: Hrefs;
  lockTimeout: LockTimeoutBounds;
  /** Sends `100 Continue` once, when the client asked for it; call before reading a body. */
  continue(): void;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The declared Content-Length; NaN when present but malformed. */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = header(req, 'content-length');
  if (raw === undefined) return undefined;
  return /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
}

export function hasBody(req: IncomingMessage): boolean {
  const length = contentLength(req);
  return (length !== undefined && length !== 0) || header(req, 'transfer-encoding') !== undefined;
}

/** Reads a small body as UTF-8 text, at most `limit` bytes (413 beyond it, before allocating). */
export async function readText(ctx: DavContext, limit = XML_BODY_LIMIT): Promise<string> {
  const declared = contentLength(ctx.req);
  if (declared !== undefined && declared > limit) throw DavError.payloadTooLarge(`body larger than ${limit} bytes`);
  if (!hasBody(ctx.req)) return '';
  ctx.continue();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw DavError.payloadTooLarge(`body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Buffer.concat(chunks, size));
  } catch {
    throw DavError.badRequest('the body is not valid UTF-8');
  }
}

/** The XML body's root element; undefined for an empty body. */
export async function readXml(ctx: DavContext): Promise<XmlElement | undefined> {
  const text = await readText(ctx);
  if (text.trim() === '') return undefined;
  return parseXml(text);
}

/** Depth header: one of `allowed`, `fallback` when absent; anything else is a 400. */
export function depthOf<T extends '0' | '1' | 'infinity'>(req: IncomingMessage, allowed: readonly T[], fallback: T | undefined): T | undefined {
  const raw = header(req, 'depth')?.trim().toLowerCase();
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw DavError.badRequest(`Depth: ${raw} is not allowed here`);
}

/** Overwrite header: T (default) or F. */
export function overwriteOf(req: IncomingMessage): boolean {
  const raw = header(req, 'overwrite')?.trim().toUpperCase();
  if (raw === undefined || raw === 'T') return true;
  if (raw === 'F') return false;
  throw DavError.badRequest('Overwrite must be T or F');
}

/** RFC 4918 §10.7: "Second-N" or "Infinite", comma-separated preferences; clamped to bounds. */
export function lockTimeoutOf(req: IncomingMessage, bounds: LockTimeoutBounds): number {
  const raw = header(req, 'timeout');
  if (raw === undefined) return bounds.defaultSeconds;
  const clamp = (s: number) => Math.min(bounds.maxSeconds, Math.max(bounds.minSeconds, s));
  for (const part of raw.split(',')) {
    const value = part.trim();
    if (/^infinite$/i.test(value)) return bounds.maxSeconds;
    const m = /^second-(\d{1,12})$/i.exec(value);
    if (m) return clamp(Number(m[1]));
  }
  throw DavError.badRequest('malformed Timeout header');
}
