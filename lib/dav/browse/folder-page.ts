import type { Entry } from '../../vfs/index.js';
import { storage } from '../errors.js';
import type { DavContext } from '../request.js';
import { browsePage } from './page.js';
import { sortOrderOf } from './sort.js';

/**
 * Headers of the folder page. The policy allows script, style and images from the bridge itself
 * only (its /_jottadav/ assets), requests back to it for the changes, and nothing else: no
 * inline script or style, no plugins, no framing, no form posts anywhere.
 */
export const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  // The listing changes under the same URL; a heuristic cache would show stale folders.
  'Cache-Control': 'no-cache',
};

/** The page for GET on a collection: its children, in the order the query string asks for. */
export async function folderPage(ctx: DavContext, collection: Entry): Promise<string> {
  const children = await storage(ctx.vfs.list(ctx.path));
  const query = (ctx.req.url ?? '').split('?')[1] ?? '';
  return browsePage({ hrefs: ctx.hrefs, collection, children, order: sortOrderOf(new URLSearchParams(query)), writable: !ctx.readOnly, user: ctx.user });
}
