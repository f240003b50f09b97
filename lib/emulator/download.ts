/** Streams a stored body, honouring a single `Range` (206/416). */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Ctx } from './core.js';
import { errors } from './errors.js';
import type { Revision } from './state.js';

/** Parses `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined = serve everything (absent or multi-range). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) {
    if (/^\s*bytes\s*=.*,/.test(header)) return undefined; // multi-range: answered with the whole body
    throw errors.range(`Invalid range ${header}`);
  }
  const [a, b] = [m[1]!, m[2]!];
  if (a === '' && b === '') throw errors.range(`Invalid range ${header}`);
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) throw errors.range(`Range ${header} not satisfiable for ${size} bytes`);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) throw errors.range(`Range ${header} not satisfiable for ${size} bytes`);
  return { start, end };
}

export async function sendContent(ctx: Ctx, rev: Revision): Promise<void> {
  const { res, req } = ctx;
  const size = rev.size;
  let range: { start: number; end: number } | undefined;
  try {
    range = parseRange(req.headers.range, size);
  } catch (error) {
    res.setHeader('Content-Range', `bytes */${size}`);
    throw error;
  }
  const headers: Record<string, string> = { 'Content-Type': rev.mime, 'Accept-Ranges': 'bytes' };
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['Content-Length'] = String(range.end - range.start + 1);
    res.writeHead(206, headers);
  } else {
    headers['Content-Length'] = String(size);
    res.writeHead(200, headers);
  }
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  const path = ctx.core.account.content.blobPath(rev.md5, rev.size);
  const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
  try {
    await pipeline(stream, res);
  } catch {
    res.destroy(); // client went away or the blob vanished mid-stream
  }
}
