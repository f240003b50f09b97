import type { IncomingMessage, ServerResponse } from 'node:http';
import { XML_TYPE } from './respond.js';
import { escapeXml, XML_DECL } from './xml.js';

/**
 * Builds a 207 body from parts joined once at the end, so a folder of n children costs O(n)
 * string work rather than repeated concatenation of a growing document.
 */
export class Multistatus {
  private readonly parts: string[] = [XML_DECL, '<D:multistatus xmlns:D="DAV:">'];

  /** A response with one propstat per status; `props` are rendered property elements. */
  propstats(href: string, byStatus: Map<number, string[]>): void {
    this.parts.push('<D:response><D:href>', escapeXml(href), '</D:href>');
    for (const [status, props] of byStatus) {
      if (props.length === 0) continue;
      this.parts.push('<D:propstat><D:prop>', ...props, `</D:prop><D:status>HTTP/1.1 ${status} ${reason(status)}</D:status></D:propstat>`);
    }
    this.parts.push('</D:response>');
  }

  /** A response carrying a single status for `href` (DELETE, COPY partial failures). */
  status(href: string, status: number, error?: string): void {
    this.parts.push('<D:response><D:href>', escapeXml(href), `</D:href><D:status>HTTP/1.1 ${status} ${reason(status)}</D:status>`);
    if (error) this.parts.push(`<D:error><D:${error}/></D:error>`);
    this.parts.push('</D:response>');
  }

  toString(): string {
    return [...this.parts, '</D:multistatus>'].join('');
  }
}

/** Characters gathered before a write: large enough that a write is cheap, small enough to bound memory. */
const BATCH_CHARS = 64 * 1024;
const HEAD = `${XML_DECL}<D:multistatus xmlns:D="DAV:">`;
const TAIL = '</D:multistatus>';
const OK_CLOSE = '</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>';
const NOT_FOUND_CLOSE = '</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>';

/** One `<D:response>` with a 200 propstat for `found` and a 404 one for `missing` (both rendered elements). */
export function responseXml(href: string, found: readonly string[], missing: readonly string[]): string {
  let out = `<D:response><D:href>${escapeXml(href)}</D:href>`;
  if (found.length > 0) out += `<D:propstat><D:prop>${found.join('')}${OK_CLOSE}`;
  if (missing.length > 0) out += `<D:propstat><D:prop>${missing.join('')}${NOT_FOUND_CLOSE}`;
  return `${out}</D:response>`;
}

/**
 * A 207 written to the response in batches as it is built, so that a listing of 10,000 children
 * never holds the whole document (nor its parts) at once and a slow client holds back the
 * producer (backpressure). A body that fits in one batch still goes out in one piece with a
 * Content-Length, exactly as before; larger ones are chunked.
 *
 * The producer calls `response()` per resource and, between them, awaits `ready()` when it is
 * not undefined; it stops when `gone` (the client went away).
 */
export class MultistatusWriter {
  private batch = HEAD;
  private started = false;
  private closed = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    res.once('close', () => {
      this.closed = true;
    });
  }

  /** The client is gone (or the response ended): producing more is wasted work. */
  get gone(): boolean {
    return this.closed || this.res.destroyed;
  }

  /** A response with a 200 propstat for `found` and a 404 one for `missing` (both rendered elements). */
  response(href: string, found: readonly string[], missing: readonly string[]): void {
    this.batch += responseXml(href, found, missing);
  }

  /** Responses rendered before (responseXml), as they are. */
  rendered(xml: string): void {
    this.batch += xml;
  }

  /** undefined while the batch is small; otherwise a promise that settles once it is written and drained. */
  ready(): Promise<void> | undefined {
    return this.batch.length < BATCH_CHARS ? undefined : this.flush();
  }

  /** Writes what is left and ends the response. */
  async end(): Promise<void> {
    if (this.gone) return;
    if (!this.started) {
      const body = Buffer.from(this.batch + TAIL, 'utf8');
      this.batch = '';
      this.res.writeHead(207, { 'Content-Type': XML_TYPE, 'Content-Length': body.length });
      this.res.end(body);
      return;
    }
    this.batch += TAIL;
    await this.flush();
    this.res.end();
  }

  private async flush(): Promise<void> {
    if (this.gone) return;
    if (!this.started) {
      this.started = true;
      // The request body was read before listing; should it not have been, the connection
      // cannot be reused (the same rule as respond.ts's send).
      if (!this.req.complete) this.res.setHeader('Connection', 'close');
      this.res.writeHead(207, { 'Content-Type': XML_TYPE });
    }
    const chunk = this.batch;
    this.batch = '';
    if (this.res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  423: 'Locked',
  424: 'Failed Dependency',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

export function reason(status: number): string {
  return REASONS[status] ?? 'Unknown';
}
