import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DavError } from './errors.js';
import { escapeXml, XML_DECL } from './xml.js';

/** The namespace sabre/dav (and so Nextcloud and ownCloud) use for exception details in DAV:error. */
const SABRE_NS = 'http://sabredav.org/ns';

export const XML_TYPE = 'application/xml; charset=utf-8';

/**
 * When a response goes out before the request body was read, the connection cannot be reused
 * (the client may still be sending, or waiting for 100 Continue): close it instead of letting
 * Node drain an arbitrarily large body.
 */
function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
}

export function send(req: IncomingMessage, res: ServerResponse, status: number, body = '', headers: Record<string, string | number> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  closeIfUnread(req, res);
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Length': buf.length });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

export function sendXml(req: IncomingMessage, res: ServerResponse, status: number, xml: string, headers: Record<string, string | number> = {}): void {
  send(req, res, status, xml, { 'Content-Type': XML_TYPE, ...headers });
}

export function sendDavError(req: IncomingMessage, res: ServerResponse, error: DavError): void {
  if (error.condition) {
    const hrefs = error.hrefs.map((h) => `<D:href>${escapeXml(h)}</D:href>`).join('');
    const inner = hrefs ? `<D:${error.condition}>${hrefs}</D:${error.condition}>` : `<D:${error.condition}/>`;
    const body = `${XML_DECL}<D:error xmlns:D="DAV:">${inner}</D:error>`;
    sendXml(req, res, error.status, body, error.headers);
    return;
  }
  if (error.exception) {
    const body =
      `${XML_DECL}<D:error xmlns:D="DAV:" xmlns:s="${SABRE_NS}">` +
      `<s:exception>${escapeXml(error.exception)}</s:exception><s:message>${escapeXml(error.message)}</s:message></D:error>`;
    sendXml(req, res, error.status, body, error.headers);
    return;
  }
  send(req, res, error.status, error.status >= 500 ? '' : `${error.message}\n`, { 'Content-Type': 'text/plain; charset=utf-8', ...error.headers });
}
