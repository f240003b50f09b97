import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ByteRange, Entry } from '../vfs/index.js';
import type { DavContext } from './request.js';

/**
 * A 206 `multipart/byteranges` answer (RFC 9110 §14.6). Each part is read from storage with its
 * own byte range, one after the other, and streamed: the file is never buffered, and the
 * Content-Length is known up front because every part's size is.
 */
export async function sendMultipartRanges(
  ctx: DavContext,
  entry: Entry,
  ranges: Required<ByteRange>[],
  /** Validators and Accept-Ranges; Content-Type is the type of each part. */
  headers: Record<string, string | number>,
): Promise<void> {
  const { req, res } = ctx;
  const { 'Content-Type': partType, ...rest } = headers;
  const boundary = randomBytes(12).toString('hex');
  const heads = ranges.map(
    (r, i) => `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${String(partType)}\r\nContent-Range: bytes ${r.start}-${r.end}/${entry.size}\r\n\r\n`,
  );
  const tail = `\r\n--${boundary}--\r\n`;
  let length = Buffer.byteLength(tail);
  for (let i = 0; i < ranges.length; i++) length += Buffer.byteLength(heads[i]!) + ranges[i]!.end - ranges[i]!.start + 1;
  const out = { ...rest, 'Content-Type': `multipart/byteranges; boundary=${boundary}`, 'Content-Length': length };
  if (req.method === 'HEAD') {
    res.writeHead(206, out);
    res.end();
    return;
  }
  const abort = new AbortController();
  let body: Readable | undefined;
  // The client going away ends the upstream transfer under way.
  res.once('close', () => {
    if (!res.writableFinished) {
      abort.abort();
      body?.destroy();
    }
  });
  // Every part is read from the revision the headers describe (`expect`). The first one is opened
  // before the status goes out, so a failure there is still an HTTP error, and CHANGED reaches
  // the GET as it is, to start over on the new revision.
  const read = (range: Required<ByteRange>) => ctx.vfs.read(ctx.path, range, abort.signal, { expect: entry });
  body = await read(ranges[0]!);
  res.writeHead(206, out);
  try {
    for (let i = 0; i < ranges.length; i++) {
      if (i > 0) body = await read(ranges[i]!);
      await write(res, heads[i]!);
      for await (const chunk of body) await write(res, chunk as Buffer);
    }
    res.end(tail);
  } catch {
    // Headers are out: all that is left is to cut the response short.
    abort.abort();
    body?.destroy();
    res.destroy();
  }
}

async function write(res: DavContext['res'], chunk: string | Buffer): Promise<void> {
  if (res.destroyed) throw new Error('client went away');
  if (!res.write(chunk)) await drainedOrClosed(res);
}

/** Waits for room in the socket (or its end), leaving no listener behind for the next write. */
function drainedOrClosed(res: DavContext['res']): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
