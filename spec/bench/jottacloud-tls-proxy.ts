/**
 * A loopback stand-in for Jottacloud's public hosts, so that rclone's own jottacloud backend can
 * be pointed at the emulator. rclone hard-codes `https://jfs.jottacloud.com/jfs/` and
 * `https://api.jottacloud.com/`, verifies TLS, and honours `HTTPS_PROXY`: it sends
 * `CONNECT host:443` here, this proxy answers as that host with a certificate from a test CA
 * (rclone is given the CA with `--ca-cert`), and forwards each plain-HTTP request to the emulator.
 *
 * Only `*.jottacloud.com:443` may be tunnelled (anything else gets 403), and plain proxy requests
 * get 405: nothing is ever forwarded off this machine. The proxy's own cost is real, so the bench
 * measures a transfer through it beside the same transfer straight to the emulator.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TLSSocket, createSecureContext } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus Expect. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

const ALLOWED_HOST = /^([a-z0-9-]+\.)*jottacloud\.com:443$/i;

export interface TestCa {
  /** PEM file of the CA that signed the server certificate: what `rclone --ca-cert` needs. */
  caFile: string;
  key: Buffer;
  cert: Buffer;
}

/** A throw-away CA and a certificate for `*.jottacloud.com` and `jottacloud.com`, made with openssl. */
export async function makeTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true });
  const f = (name: string) => join(dir, name);
  const ext = f('server.ext');
  await writeFile(ext, 'subjectAltName=DNS:*.jottacloud.com,DNS:jottacloud.com\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=jottadav bench CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=*.jottacloud.com', '-keyout', f('server.key'), '-out', f('server.csr')]);
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', f('server.pem')]);
  return { caFile: f('ca.pem'), key: await readFile(f('server.key')), cert: await readFile(f('server.pem')) };
}

export interface TlsProxy {
  /** `http://127.0.0.1:PORT`: the value for HTTPS_PROXY. */
  url: string;
  /** Requests forwarded so far, by path without the query (for counting what a client sent). */
  forwarded(): string[];
  close(): Promise<void>;
}

/** Starts the CONNECT proxy on a free loopback port; every tunnelled request goes to `target`. */
export async function startTlsProxy(ca: TestCa, target: string): Promise<TlsProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const context = createSecureContext({ key: ca.key, cert: ca.cert });
  const seen: string[] = [];
  const sockets = new Set<Socket>();

  // Parses the HTTP that arrives inside each tunnel; never listens itself.
  const inner = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push((req.url ?? '').split('?')[0]!);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const out = request({ agent, host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      const back: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) back[name] = value;
      res.writeHead(answer.statusCode ?? 502, back);
      pipeline(answer, res).catch(() => res.destroy());
    });
    out.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    pipeline(req, out).catch(() => out.destroy());
  });
  inner.keepAliveTimeout = 60_000;

  const outer: Server = createServer((_req, res) => res.writeHead(405, { 'content-type': 'text/plain' }).end('only CONNECT to *.jottacloud.com:443\n'));
  outer.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!ALLOWED_HOST.test(req.url ?? '')) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
    tls.on('error', () => socket.destroy());
    inner.emit('connection', tls);
  });
  outer.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    outer.once('error', reject);
    outer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = outer.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded: () => [...seen],
    close: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => outer.close(() => resolve()));
    },
  };
}
