/**
 * `GET {path}?mode=bin` as a stream (jottacloud-api.md §5.5). The request is tied to the
 * stream: destroying the stream or aborting the caller's signal ends the upstream request, so an
 * abandoned download never keeps a connection (or memory) busy.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { JottaHttp } from './http.js';

export interface DownloadRange {
  start: number;
  /** Inclusive; omitted: to the end. */
  end?: number;
}

export function rangeHeader(range: DownloadRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`;
}

/** Drops the first `skip` bytes and passes at most `limit` (for servers that ignore Range). */
class Window extends Transform {
  constructor(
    private skip: number,
    private limit: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let c = chunk;
    if (this.skip > 0) {
      const n = Math.min(this.skip, c.length);
      this.skip -= n;
      c = c.subarray(n);
    }
    if (this.limit <= 0 || c.length === 0) return done();
    if (c.length > this.limit) c = c.subarray(0, this.limit);
    this.limit -= c.length;
    this.push(c);
    if (this.limit <= 0) this.push(null); // window complete: end now, not when upstream ends
    done();
  }
}

export async function openDownload(http: JottaHttp, url: string, range: DownloadRange | undefined, signal?: AbortSignal): Promise<Readable> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const detach = () => signal?.removeEventListener('abort', onAbort);
  let res;
  try {
    res = await http.call({
      url,
      headers: range ? { Range: rangeHeader(range) } : {},
      signal: controller.signal,
      retry: 'idempotent',
    });
  } catch (error) {
    detach();
    throw error;
  }
  const raw = res.body as unknown as Readable;
  let body = raw;
  if (range && res.status === 200) {
    // The server ignored the Range: cut the window out locally rather than serve wrong bytes,
    // and stop downloading once the window is complete.
    const limit = range.end === undefined ? Number.POSITIVE_INFINITY : range.end - range.start + 1;
    const window = new Window(range.start, limit);
    raw.on('error', (e) => window.destroy(e));
    body = raw.pipe(window);
  }
  let ended = false;
  body.once('end', () => {
    ended = true;
    detach();
    if (!raw.readableEnded) raw.destroy();
  });
  body.once('close', () => {
    detach();
    if (!ended) controller.abort();
  });
  return body;
}
