import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createDavHandler, type DavServerOptions } from './handler.js';
import { normaliseBasePath } from './href.js';
import { MAX_HEADER_BYTES } from './limits.js';
import { ALLOWED_METHODS } from './methods/options.js';
import { answerPlainHttp } from './plain-http-on-tls.js';
import { urlHost } from '../util/dial-address.js';

export interface StartOptions extends DavServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Deadlines of the HTTP layer (the `server.timeouts` options): the request headers, the whole
   * request as received (0 = none: uploads take as long as they take; a deadline missed is a 408),
   * a kept-alive connection's wait for its next request, and a connection's silence mid-request
   * (0 = never; keep it generous: after a large upload the PUT answer waits, silently, until the
   * Vfs has committed the file upstream).
   */
  timeouts: { headersMs: number; requestMs: number; keepAliveMs: number; idleMs: number };
  /**
   * Requests this returns true for were answered outside the WebDAV tree (a health endpoint)
   * and never reach the protocol layer or its authentication.
   */
  intercept?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

export interface RunningDavServer {
  url: string;
  server: http.Server | https.Server;
  close(): Promise<void>;
  /**
   * Graceful stop: no new connections, idle keep-alive sockets closed, requests in flight given
   * up to `graceMs` to finish; whatever is still running then is cut off.
   */
  shutdown(graceMs: number): Promise<void>;
  /** Requests being served right now. */
  inFlight(): number;
}

export async function startDavServer(options: StartOptions): Promise<RunningDavServer> {
  const davHandler = createDavHandler(options);
  let active = 0;
  let drained: (() => void) | undefined;
  type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;
  // Counts requests in flight (for a graceful shutdown) and lets `intercept` answer first.
  const serve =
    (next: Listener): Listener =>
    (req, res) => {
      active++;
      res.once('close', () => {
        active--;
        if (active === 0) drained?.();
      });
      if (options.intercept?.(req, res)) return;
      next(req, res);
    };
  const handler = serve(davHandler);
  const headersTimeout = options.timeouts.headersMs;
  const requestTimeout = options.timeouts.requestMs;
  const serverOptions: http.ServerOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    requestTimeout,
    headersTimeout,
    keepAliveTimeout: options.timeouts.keepAliveMs,
    // Node checks the two deadlines above on this interval (30 s by default): often enough that
    // a short deadline is kept to within a quarter of itself.
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(Math.min(headersTimeout, requestTimeout || Infinity) / 4))),
  };
  let server: http.Server | https.Server;
  if (options.tls) {
    const secure = https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler);
    answerPlainHttp(secure);
    server = secure;
  } else {
    server = http.createServer(serverOptions, handler);
  }
  server.maxHeadersCount = 200;
  server.timeout = options.timeouts.idleMs;
  // We decide on 100 Continue ourselves, after auth and preconditions (ctx.continue()).
  server.on('checkContinue', serve(davHandler.checkContinue));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  });
  // CONNECT (tunnels) is not ours to serve; without a listener Node would drop the socket silently.
  server.on('connect', (_req: http.IncomingMessage, socket: Socket) => {
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nAllow: ${ALLOWED_METHODS}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    // A client can dial this URL: a wildcard listen address becomes loopback.
    url: `${options.tls ? 'https' : 'http'}://${urlHost(host)}:${port}${normaliseBasePath(options.basePath)}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    inFlight: () => active,
    shutdown: async (graceMs: number) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs);
          drained = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
