/**
 * The one listener for every host: routes by path prefix, applies fault switches, records
 * the request log, and turns every failure into the service's error shape. Nothing a client
 * sends may crash it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { bearerValidNow, REALM, type Core, type Ctx } from './core.js';
import { EmulatorError, errors } from './errors.js';
import { candidatesFor, type RequestLogEntry } from './faults.js';
import { drain, sendError, trackBytes, type Shape } from './http.js';
import { answerAfterwards, dropConnection, newError } from './injected.js';
import { handleApi } from './routes/api.js';
import { handleControl } from './routes/control.js';
import { authorize, token, userinfo, wellKnown } from './routes/identity.js';
import { handleJfs } from './routes/jfs.js';
import { downloadPublic } from './routes/public.js';
import { handleUpload } from './routes/upload.js';

type Handler = (ctx: Ctx) => Promise<void> | void;

function retryAfterHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

interface Route {
  shape: Shape;
  handler: Handler;
}

const OIDC = /^\/auth\/realms\/([^/]+)\/(\.well-known\/openid-configuration|protocol\/openid-connect\/(token|userinfo|auth))$/;

function route(path: string): Route | undefined {
  if (path === '/jfs' || path.startsWith('/jfs/')) return { shape: 'xml', handler: handleJfs };
  if (path === '/account/v1/customer') return { shape: 'json', handler: (c) => handleApi(c, 'customer') };
  if (path === '/files/v1/allocate') return { shape: 'json', handler: (c) => handleApi(c, 'allocate') };
  if (path === '/files/v1/purge_trash') return { shape: 'json', handler: (c) => handleApi(c, 'purge') };
  const upload = /^\/files\/v1\/upload\/([A-Za-z0-9_-]+)$/.exec(path);
  if (upload) return { shape: 'json', handler: (c) => handleUpload(c, upload[1]!) };
  const oidc = OIDC.exec(path);
  if (oidc) {
    if (oidc[1] !== REALM) return { shape: 'oauth', handler: () => { throw new EmulatorError(404, 'Realm does not exist'); } };
    if (oidc[3] === 'token') return { shape: 'oauth', handler: token };
    if (oidc[3] === 'userinfo') return { shape: 'oauth', handler: userinfo };
    if (oidc[3] === 'auth') return { shape: 'oauth', handler: authorize };
    return { shape: 'oauth', handler: wellKnown };
  }
  const pub = /^\/opin\/io\/downloadPublic\/([^/]+)\/([^/]+)$/.exec(path);
  if (pub) return { shape: 'xml', handler: (c) => downloadPublic(c, pub[1]!, pub[2]!) };
  return undefined;
}

function shapeFor(path: string): Shape {
  if (path.startsWith('/auth/')) return 'oauth';
  if (path.startsWith('/files/') || path.startsWith('/account/') || path.startsWith('/_emulator/')) return 'json';
  return 'xml';
}

async function handle(core: Core, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q + 1);
  const method = (req.method ?? 'GET').toUpperCase();
  const entry: RequestLogEntry = { time: Date.now(), method, path: rawPath, query, status: 0, requestBytes: 0 };
  trackBytes(req, entry);
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as { writeHead: (...args: unknown[]) => ServerResponse }).writeHead = (...args: unknown[]) => {
    entry.status = Number(args[0]);
    return writeHead(...args);
  };
  const control = rawPath.startsWith('/_emulator/');
  let shape = shapeFor(rawPath);
  try {
    let url: URL;
    try {
      url = new URL(rawPath.startsWith('/') ? target : `/${target}`, 'http://emulator.invalid');
    } catch {
      throw errors.invalid(`Malformed request target '${target}'`);
    }
    const ctx: Ctx = { core, req, res, url, rawPath, entry, bearerValid: bearerValidNow(core, req.headers.authorization) };
    if (control) return await handleControl(ctx, rawPath.slice('/_emulator/'.length));
    core.faults.record(entry);
    const candidates = candidatesFor(rawPath, query);
    const fault = core.faults.take(method, candidates, rawPath.startsWith('/files/v1/upload/'));
    const wait = core.faults.delayFor(candidates) + (fault?.kind === 'delay' ? fault.ms : 0);
    if (wait > 0) await core.faults.hold(wait);
    if (fault?.kind === 'drop' && fault.at === 'before') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status' && !fault.afterEffect) {
      sendError(res, newError(fault.status), shape, retryAfterHeader(fault.retryAfter));
      return;
    }
    const r = route(rawPath);
    if (!r) throw errors.notFound(rawPath);
    shape = r.shape;
    if (fault?.kind === 'status') answerAfterwards(res, fault.status, shape, retryAfterHeader(fault.retryAfter));
    if (fault?.kind === 'drop' && fault.at !== 'before') dropConnection(req, res, fault.at);
    if (fault?.kind === 'cut-upload') core.faults.cutUploadAfter(fault.afterBytes);
    await r.handler(ctx);
  } catch (error) {
    if (!(error instanceof EmulatorError)) console.error(`emulator: ${method} ${rawPath}: ${(error as Error)?.stack ?? String(error)}`);
    const e = error instanceof EmulatorError ? error : new EmulatorError(500, 'java.lang.RuntimeException', 'Internal error');
    // A bad bearer is answered with the XML error body on every authenticated host.
    if (e.status === 401 && shape === 'json') shape = 'xml';
    if (res.headersSent) res.destroy();
    else sendError(res, e, shape, e.status === 416 && res.getHeader('Content-Range') ? { 'Content-Range': String(res.getHeader('Content-Range')) } : {});
  } finally {
    // Read whatever body the route did not, so a keep-alive connection stays in step.
    if (!req.readableEnded && !req.destroyed) void drain(req);
  }
}

export function createEmulatorServer(core: Core): Server {
  const server = createServer((req, res) => {
    handle(core, req, res).catch((error: unknown) => {
      console.error(`emulator: unhandled ${String(error)}`);
      res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
