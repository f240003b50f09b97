import { pipeline } from 'node:stream/promises';
import type { Entry } from '../../vfs/index.js';
import { folderPage, PAGE_HEADERS } from '../browse/folder-page.js';
import { parseRanges } from '../byte-ranges.js';
import { checkPreconditions, ifRangeHolds } from '../conditional.js';
import { isStorageError } from '../../storage/errors.js';
import { storage } from '../errors.js';
import { checkIfHeader } from '../lock-check.js';
import { sendMultipartRanges } from '../multipart-ranges.js';
import { contentTypeOf, httpDate, quotedEtag } from '../props.js';
import { header, type DavContext } from '../request.js';
import { send } from '../respond.js';
import { servedContentHeaders } from '../served-content.js';

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
  const asked = ifRangeHolds(req, entry) ? parseRanges(header(req, 'range'), entry.size) : undefined;
  if (asked?.kind === 'unsatisfiable') {
    send(req, res, 416, '', { ...headers, 'Content-Range': `bytes */${entry.size}` });
    return;
  }
  if (asked?.kind === 'ranges' && asked.ranges.length > 1) return sendMultipartRanges(ctx, entry, asked.ranges, headers);
  const range = asked?.kind === 'ranges' ? asked.ranges[0] : undefined;
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
