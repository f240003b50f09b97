import { pipeline } from 'node:stream/promises';
import type { ByteRange, Entry } from '../../vfs/index.js';
import { folderPage, PAGE_HEADERS } from '../browse/folder-page.js';
import { checkPreconditions, ifRangeHolds } from '../conditional.js';
import { isStorageError } from '../../storage/errors.js';
import { storage } from '../errors.js';
import { checkIfHeader } from '../lock-check.js';
import { contentTypeOf, httpDate, quotedEtag } from '../props.js';
import { header, type DavContext } from '../request.js';
import { send } from '../respond.js';
import { servedContentHeaders } from '../served-content.js';

/** A single byte range; 'unsatisfiable' (416); undefined to send the whole body. */
export function parseRange(value: string | undefined, size: number): Required<ByteRange> | 'unsatisfiable' | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  // Several ranges, or a syntax we do not know: RFC 9110 lets us ignore Range and send 200.
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function validators(entry: Entry): Record<string, string> {
  const h: Record<string, string> = {};
  const etag = quotedEtag(entry);
  if (etag) h.ETag = etag;
  if (entry.modified) h['Last-Modified'] = httpDate(entry.modified);
  return h;
}

/** How often a GET starts over when the file changes between its stat and its download. */
const CHANGED_RETRIES = 3;

/**
 * GET and HEAD. Size, ETag and type come from a fresh stat, never from a cached listing, and the
 * download is bound to that revision: when another client replaced the file in between, the
 * request starts over on the new one instead of sending its bytes under the old headers.
 */
export async function get(ctx: DavContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await getOnce(ctx);
    } catch (error) {
      if (!isStorageError(error, 'CHANGED') || attempt >= CHANGED_RETRIES || ctx.res.headersSent) throw error;
    }
  }
}

async function getOnce(ctx: DavContext): Promise<void> {
  const { req, res } = ctx;
  await checkIfHeader(ctx);
  const entry = await storage(ctx.vfs.stat(ctx.path, { fresh: true }));
  if (entry.kind === 'collection') {
    // HEAD on a collection is 200 (Office probes folders with it); GET lists it for browsers.
    const body = req.method === 'HEAD' ? '' : await folderPage(ctx, entry);
    send(req, res, 200, body, { ...PAGE_HEADERS, ...validators(entry) });
    return;
  }
  const pre = checkPreconditions(req, entry);
  if (pre !== 'ok') {
    send(req, res, pre, '', validators(entry));
    return;
  }
  const headers: Record<string, string | number> = {
    ...validators(entry),
    'Accept-Ranges': 'bytes',
    'Content-Type': contentTypeOf(entry),
    ...servedContentHeaders(contentTypeOf(entry)),
  };
  const range = ifRangeHolds(req, entry) ? parseRange(header(req, 'range'), entry.size) : undefined;
  if (range === 'unsatisfiable') {
    send(req, res, 416, '', { ...headers, 'Content-Range': `bytes */${entry.size}` });
    return;
  }
  const status = range ? 206 : 200;
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${entry.size}`;
  headers['Content-Length'] = range ? range.end - range.start + 1 : entry.size;
  if (req.method === 'HEAD') {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const abort = new AbortController();
  // Not through storage(): CHANGED must reach get() above as it is, to start over.
  const body = await ctx.vfs.read(ctx.path, range, abort.signal, { expect: entry });
  // The client going away ends the upstream transfer (no orphaned downloads from the cloud).
  res.once('close', () => {
    if (!res.writableFinished) {
      abort.abort();
      body.destroy();
    }
  });
  res.writeHead(status, headers);
  try {
    await pipeline(body, res);
  } catch {
    abort.abort();
    body.destroy();
    res.destroy();
  }
}
