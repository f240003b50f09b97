import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createDavHandler, type DavServerOptions } from './handler.js';
import { normaliseBasePath } from './href.js';
import { ALLOWED_METHODS } from './methods/options.js';

export interface StartOptions extends DavServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * A connection with no traffic for this long is closed. Generous by default: after a large
   * upload the PUT answer waits, silently, until the Vfs has committed the file upstream.
   */
  idleTimeoutMs?: number;
}

export interface RunningDavServer {
  url: string;
  server: http.Server | https.Server;
  close(): Promise<void>;
}

const MAX_HEADER_BYTES = 32 * 1024;

export async function startDavServer(options: StartOptions): Promise<RunningDavServer> {
  const handler = createDavHandler(options);
  const serverOptions: http.ServerOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    // Hour-long uploads and downloads: no whole-request deadline; headers must arrive promptly.
    requestTimeout: 0,
    headersTimeout: 60_000,
    keepAliveTimeout: 30_000,
  };
  const server = options.tls
    ? https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler)
    : http.createServer(serverOptions, handler);
  server.maxHeadersCount = 200;
  server.timeout = options.idleTimeoutMs ?? 60 * 60 * 1000;
  // We decide on 100 Continue ourselves, after auth and preconditions (ctx.continue()).
  server.on('checkContinue', handler.checkContinue);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
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
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${hostPart}:${port}${normaliseBasePath(options.basePath)}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
