/**
 * `GET {path}?mode=bin` as a stream. The request is tied to the stream: destroying the stream or
 * aborting the caller's signal ends the upstream request, so an abandoned download never keeps a
 * connection (or memory) busy.
 *
 * A connection that dies mid-body is resumed from the byte reached, with a Range request, without
 * the reader noticing; a resume first checks (through `sameRevision`) that the file is still the
 * revision the first bytes came from, so bytes of two revisions are never spliced together.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { Response } from 'node-fetch';
import { backoffDelay, isConnectionError, sleep } from '../util/retry.js';
import { JottaAbortError, JottaChangedError, JottaNetworkError } from './errors.js';
import type { JottaHttp } from './http.js';

export interface DownloadRange {
  start: number;
  /** Inclusive; omitted: to the end. */
  end?: number;
}

export interface DownloadOptions {
  /** The size of the revision the caller means; a download of another size is JottaChangedError. */
  expectedSize?: number;
  /** Before a resume: false when the file is no longer the revision the download began with. */
  sameRevision?: () => Promise<boolean>;
  /** Resumes after a dropped connection before giving up. Default 5. */
  maxResumes?: number;
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

/** The whole size of the file an answer describes: Content-Range's total, or a 200's length. */
function totalSizeOf(res: Response): number | undefined {
  const range = /\/\s*(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
  if (res.status === 206 && range) return Number(range[1]);
  const length = res.headers.get('content-length');
  if (res.status === 200 && length !== null && /^\d+$/.test(length.trim())) return Number(length);
  return undefined;
}

function shortBody(received: number, wanted: number): Error {
  // node-fetch does not always report a body cut short of its Content-Length: count it ourselves.
  return Object.assign(new Error(`the download ended after ${received} of ${wanted} bytes`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
}

export async function openDownload(
  http: JottaHttp,
  url: string,
  range: DownloadRange | undefined,
  signal?: AbortSignal,
  options: DownloadOptions = {},
): Promise<Readable> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const detach = () => signal?.removeEventListener('abort', onAbort);

  const first = range?.start ?? 0;
  /** The next byte to deliver (absolute offset in the file). */
  let offset = first;
  /** One past the last byte to deliver, once known. */
  let stop = range?.end === undefined ? undefined : range.end + 1;
  let expectedSize = options.expectedSize;

  const open = async (): Promise<Readable> => {
    const from = offset;
    const wanted: DownloadRange | undefined = from === 0 && stop === undefined ? undefined : { start: from, ...(stop === undefined ? {} : { end: stop - 1 }) };
    const res = await http.call({ url, headers: wanted ? { Range: rangeHeader(wanted) } : {}, signal: controller.signal, retry: 'idempotent' });
    const raw = res.body as unknown as Readable;
    const total = totalSizeOf(res);
    if (expectedSize !== undefined && total !== undefined && total !== expectedSize) {
      raw.destroy();
      throw new JottaChangedError(`the file is ${total} bytes now, not ${expectedSize}`);
    }
    expectedSize ??= total;
    if (stop === undefined && expectedSize !== undefined) stop = expectedSize;
    if (wanted && res.status === 200) {
      // The server ignored the Range: cut the window out locally rather than serve wrong bytes,
      // and stop downloading once the window is complete.
      const window = new Window(from, stop === undefined ? Number.POSITIVE_INFINITY : stop - from);
      raw.on('error', (e) => window.destroy(e));
      window.once('close', () => {
        if (!raw.readableEnded) raw.destroy();
      });
      return raw.pipe(window);
    }
    return raw;
  };

  let body: Readable;
  try {
    body = await open();
  } catch (error) {
    detach();
    throw error;
  }

  const maxResumes = options.maxResumes ?? 5;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let resumes = 0; ; ) {
      try {
        for await (const chunk of body) {
          const buf = chunk as Buffer;
          offset += buf.length;
          yield buf;
        }
        if (stop !== undefined && offset < stop) throw shortBody(offset - first, stop - first);
        return;
      } catch (error) {
        body.destroy();
        if (controller.signal.aborted) throw new JottaAbortError('download aborted', { cause: error });
        if (!isConnectionError(error) || resumes >= maxResumes) throw new JottaNetworkError(`the download broke off: ${(error as Error).message}`, { cause: error });
        resumes += 1;
        await sleep(backoffDelay(resumes, http.policy), controller.signal);
        if (options.sameRevision && !(await options.sameRevision())) {
          throw new JottaChangedError('the file changed while it was downloaded');
        }
        body = await open();
      }
    }
  }

  const out = Readable.from(chunks(), { objectMode: false });
  let ended = false;
  out.once('end', () => {
    ended = true;
    detach();
  });
  out.once('close', () => {
    detach();
    if (!ended) controller.abort();
    body.destroy();
  });
  return out;
}
