import type { IncomingMessage } from 'node:http';
import type { Entry } from '../vfs/index.js';
import { quotedEtag } from './props.js';
import { header } from './request.js';

/**
 * HTTP preconditions (RFC 9110 §13.2.2 evaluation order): If-Match, If-Unmodified-Since,
 * If-None-Match, If-Modified-Since. `entry` is undefined when the resource does not exist.
 */
export type PreconditionResult = 'ok' | 304 | 412;

function etagList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function strongMatch(candidates: string[], etag: string | undefined): boolean {
  return etag !== undefined && candidates.some((c) => !c.startsWith('W/') && c === etag);
}

function weakMatch(candidates: string[], etag: string | undefined): boolean {
  return etag !== undefined && candidates.some((c) => c.replace(/^W\//, '') === etag);
}

function parseDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** HTTP dates have one-second resolution. */
function seconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : Math.floor(date.getTime() / 1000) * 1000;
}

const CONDITIONAL_HEADERS = ['if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since'] as const;

/**
 * true when the request carries an HTTP precondition: its target must then be stat'ed fresh (the
 * current revision, not a cached listing), since another client may have changed it.
 */
export function isConditional(req: IncomingMessage): boolean {
  return CONDITIONAL_HEADERS.some((name) => header(req, name) !== undefined);
}

export function checkPreconditions(req: IncomingMessage, entry: Entry | undefined): PreconditionResult {
  const etag = entry ? quotedEtag(entry) : undefined;
  const readLike = req.method === 'GET' || req.method === 'HEAD';
  const ifMatch = header(req, 'if-match');
  if (ifMatch !== undefined) {
    const list = etagList(ifMatch);
    const ok = list.includes('*') ? entry !== undefined : strongMatch(list, etag);
    if (!ok) return 412;
  } else {
    const since = parseDate(header(req, 'if-unmodified-since'));
    const modified = seconds(entry?.modified);
    if (since !== undefined && entry && modified !== undefined && modified > since) return 412;
  }
  const ifNoneMatch = header(req, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    const list = etagList(ifNoneMatch);
    const matched = list.includes('*') ? entry !== undefined : weakMatch(list, etag);
    if (matched) return readLike ? 304 : 412;
  } else if (readLike && entry) {
    const since = parseDate(header(req, 'if-modified-since'));
    const modified = seconds(entry.modified);
    if (since !== undefined && modified !== undefined && modified <= since) return 304;
  }
  return 'ok';
}

/** If-Range (RFC 9110 §13.1.5): the range applies only when the validator still matches. */
export function ifRangeHolds(req: IncomingMessage, entry: Entry): boolean {
  const value = header(req, 'if-range')?.trim();
  if (value === undefined) return true;
  if (value.startsWith('"') || value.startsWith('W/')) return value === quotedEtag(entry);
  const date = parseDate(value);
  return date !== undefined && seconds(entry.modified) === date;
}
