/**
 * Carries out an injected fault on one exchange. Faults that strike after the request was handled
 * take over the response object: the route runs and changes state as usual, and only what goes
 * back on the wire differs (an error status, nothing at all, or half a body).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmulatorError } from './errors.js';
import type { DropPoint } from './faults.js';
import { sendError, type Shape } from './http.js';

type Write = (chunk?: unknown, encoding?: unknown, callback?: unknown) => boolean;
type End = (chunk?: unknown, encoding?: unknown, callback?: unknown) => ServerResponse;

function callbackOf(...args: unknown[]): (() => void) | undefined {
  const last = args.filter((a) => typeof a === 'function').pop();
  return last as (() => void) | undefined;
}

function bufferOf(chunk: unknown, encoding: unknown): Buffer {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return Buffer.alloc(0);
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** Swallows everything the route writes; `finish` decides what happens once the route ends. */
function swallow(res: ServerResponse, finish: () => void): void {
  const r = res as unknown as { writeHead: unknown; write: Write; end: End };
  r.writeHead = () => res;
  r.write = (...args: unknown[]) => {
    callbackOf(...args)?.();
    return true;
  };
  r.end = (...args: unknown[]) => {
    callbackOf(...args)?.();
    finish();
    return res;
  };
}

export function newError(status: number): EmulatorError {
  return new EmulatorError(status, 'no.jotta.backup.errors.InjectedFaultException', `injected ${status}`);
}

/** The request is carried out; its answer is replaced by `status` (an ambiguous failure). */
export function answerAfterwards(res: ServerResponse, status: number, shape: Shape, headers: Record<string, string>): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  swallow(res, () => {
    Object.assign(res, original);
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    sendError(res, newError(status), shape, headers);
  });
}

/** The connection dies at `at` (for `before` the caller simply does not route the request). */
export function dropConnection(req: IncomingMessage, res: ServerResponse, at: Exclude<DropPoint, 'before'>): void {
  const kill = () => req.socket.destroy();
  if (at === 'after') {
    swallow(res, kill);
    return;
  }
  // mid-body: the headers and half of the first piece of body go out, then the connection dies.
  const write = res.write.bind(res) as Write;
  const r = res as unknown as { write: Write; end: End };
  let cut = false;
  const halfThenDie = (chunk: unknown, encoding: unknown): void => {
    cut = true;
    const buf = bufferOf(chunk, encoding);
    write(buf.subarray(0, Math.floor(buf.length / 2)), () => kill());
    swallow(res, () => undefined);
  };
  r.write = (chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (!cut) halfThenDie(chunk, encoding);
    callbackOf(encoding, callback)?.();
    return true;
  };
  r.end = (chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (!cut) halfThenDie(chunk, encoding);
    callbackOf(chunk, encoding, callback)?.();
    return res;
  };
}
