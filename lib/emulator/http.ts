/** Small response helpers shared by the routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorError, errors, reasonPhrase } from './errors.js';
import type { RequestLogEntry } from './faults.js';
import { errorDocument, nextXid } from './xml.js';

/** The log entry of each request, so body readers can count the bytes received. */
const entries = new WeakMap<IncomingMessage, RequestLogEntry>();

export function trackBytes(req: IncomingMessage, entry: RequestLogEntry): void {
  entries.set(req, entry);
}

function count(req: IncomingMessage, bytes: number): void {
  const entry = entries.get(req);
  if (entry) entry.requestBytes += bytes;
}

/** Which family of host a path belongs to; decides the error body's shape. */
export type Shape = 'xml' | 'json' | 'oauth';

export function sendBody(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(buf.length), ...headers });
  res.end(buf);
}

export function sendXml(res: ServerResponse, status: number, body: string): void {
  sendBody(res, status, 'application/xml; charset=UTF-8', body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendBody(res, status, 'application/json; charset=UTF-8', JSON.stringify(value), headers);
}

export function sendError(res: ServerResponse, error: EmulatorError, shape: Shape, headers: Record<string, string> = {}): void {
  if (error.bare) {
    // Vendor quirk: the `%` rejection is not XML, just the status line as text.
    sendBody(res, error.status, 'text/plain; charset=UTF-8', `${error.status} ${error.exception}`, headers);
  } else if (shape === 'xml') {
    sendBody(res, error.status, 'application/xml; charset=UTF-8', errorDocument(error.status, error.message, reasonPhrase(error.status)), headers);
  } else if (shape === 'oauth') {
    const code = error.status === 401 ? 'invalid_client' : error.status >= 500 ? 'temporarily_unavailable' : 'invalid_request';
    sendJson(res, error.status, { error: code, error_description: error.message }, headers);
  } else {
    sendJson(res, error.status, { code: error.status, message: error.message, cause: '', error_id: error.errorId, 'x-id': nextXid() }, headers);
  }
}

const HARD_CAP = 64 * 1024 * 1024;

/** Reads a small request body (JSON or form); larger than `limit` is refused with 413. */
export async function readSmallBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early would destroy the socket under a keep-alive client; so an overlong body
  // is read to its end (up to a hard cap) and only then refused.
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    count(req, (chunk as Buffer).length);
    if (total > HARD_CAP) throw errors.tooLarge();
    if (total <= limit) chunks.push(chunk as Buffer);
  }
  if (total > limit) throw errors.tooLarge();
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readSmallBody(req);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw errors.badJson((error as Error).message);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errors.badJson('expected a JSON object');
  return value as Record<string, unknown>;
}

/** Drains an unread request body so the connection can be reused. */
export async function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  try {
    for await (const chunk of req) count(req, (chunk as Buffer).length);
  } catch {
    /* the client went away; nothing to answer */
  }
}

export { reasonPhrase };
