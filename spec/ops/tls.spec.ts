/**
 * TLS from the config: a self-signed certificate made at test time with openssl, served through
 * startApp, trusted by the client via `ca`. Plus the clear-text warning: plain HTTP on a
 * non-loopback address logs that Basic-auth passwords would cross the network unencrypted.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLoopbackHost } from '../../lib/config/index.js';
import { startEmulator } from '../../lib/emulator/index.js';
import { startStack, writeServeConfig, type Stack } from '../support/stack.js';
import { accountReader, basic, raw, servedUrl, startChild, type Child } from './support.js';

const USER = { name: 'tls', password: 'tls-secret-pw' };
const auth = { Authorization: basic(USER.name, USER.password) };

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/**
 * A host name that is not loopback by name, but only binds loopback: the machine's own name when
 * it resolves to 127.x (Debian's /etc/hosts), else the wildcard address (listening on all
 * interfaces briefly; the spec only ever connects to 127.0.0.1).
 */
async function nonLoopbackName(): Promise<string> {
  const name = hostname();
  if (!isLoopbackHost(name)) {
    try {
      const addresses = await lookup(name, { all: true });
      if (addresses.length > 0 && addresses.every((a) => isLoopbackHost(a.address))) return name;
    } catch {
      // does not resolve: use the wildcard
    }
  }
  return '0.0.0.0';
}

/** The stack's URL, but dialled on 127.0.0.1 whatever host it was bound by. */
function loopbackUrl(stack: Stack): string {
  const url = new URL(stack.url);
  url.hostname = '127.0.0.1';
  return url.href;
}

function logCapture(): { sink: { write(chunk: string): boolean }; lines(): Array<Record<string, unknown>> } {
  let text = '';
  return {
    sink: {
      write(chunk: string) {
        text += chunk;
        return true;
      },
    },
    lines: () =>
      text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const isClearTextWarning = (line: Record<string, unknown>) => line.level === 'warn' && /clear text|clear-text|plain HTTP/i.test(String(line.msg));

describe('ops: TLS', function () {
  this.timeout(60_000);
  let dir: string;
  let files: { cert: string; key: string };
  let ca: Buffer;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-ops-tls-'));
    files = makeCertificate(dir);
    ca = readFileSync(files.cert);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('with a certificate and key in the config', () => {
    let stack: Stack;
    const log = logCapture();
    before(async () => {
      stack = await startStack({ users: [USER], config: { server: { tls: { cert: files.cert, key: files.key } } }, logSink: log.sink });
    });
    after(async () => {
      await stack?.close();
    });

    it('serves WebDAV over HTTPS: PROPFIND, PUT and GET with a client trusting the certificate', async () => {
      assert.match(stack.url, /^https:\/\//);
      const propfind = await raw(stack.url, 'PROPFIND', '/', { headers: { ...auth, Depth: '1' }, ca });
      assert.equal(propfind.status, 207);
      const put = await raw(stack.url, 'PUT', '/over-tls.txt', { headers: auth, body: 'sent encrypted', ca });
      assert.equal(put.status, 201);
      const get = await raw(stack.url, 'GET', '/over-tls.txt', { headers: auth, ca });
      assert.equal(get.status, 200);
      assert.equal(get.body, 'sent encrypted');
      const reader = await accountReader(stack.emulator);
      try {
        assert.equal(await reader.text('/over-tls.txt'), 'sent encrypted');
      } finally {
        await reader.close();
      }
    });

    it('a client that does not trust the certificate is refused by its own TLS check', async () => {
      await assert.rejects(raw(stack.url, 'PROPFIND', '/', { headers: { ...auth, Depth: '0' } }), (error: NodeJS.ErrnoException) => {
        assert.match(String(error.code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
        return true;
      });
    });

    it('plain HTTP to the HTTPS port gets a 400 that says to use https (regression: the connection was dropped without an answer)', async () => {
      const plain = stack.url.replace(/^https:/, 'http:');
      const res = await raw(plain, 'PROPFIND', '/', { headers: { ...auth, Depth: '0' } });
      assert.equal(res.status, 400);
      const port = new URL(stack.url).port;
      assert.match(res.body, new RegExp(`use https://127\\.0\\.0\\.1:${port}/`, 'i'));
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      // HTTPS on the same port still works after a plain request was turned away, a body of
      // many TLS records included (the first bytes were looked at, then handed on).
      const big = Buffer.alloc(3 * 1024 * 1024, 'tls records ');
      assert.equal((await raw(stack.url, 'PUT', '/after-plain.bin', { headers: auth, body: big, ca })).status, 201);
      assert.equal((await raw(stack.url, 'GET', '/after-plain.bin', { headers: auth, ca })).body, big.toString('utf8'));
    });

    it('logs no clear-text warning on loopback', () => {
      assert.equal(log.lines().filter(isClearTextWarning).length, 0);
    });
  });

  it('`jottadav serve` takes the certificate from flags and serves HTTPS', async () => {
    const emulator = await startEmulator();
    let child: Child | undefined;
    try {
      const configFile = await writeServeConfig(emulator, dir, USER, { store: 'memory' }, 'serve-config.json');
      child = startChild(['serve', '--config', configFile, '--tls-cert', files.cert, '--tls-key', files.key]);
      const url = await servedUrl(child);
      assert.match(url, /^https:\/\//);
      assert.equal((await raw(url, 'PUT', '/via-cli.txt', { headers: auth, body: 'cli tls', ca })).status, 201);
      assert.equal((await raw(url, 'GET', '/via-cli.txt', { headers: auth, ca })).body, 'cli tls');
      assert.doesNotMatch(child.stderr(), /clear text/i);
      child.process.kill('SIGTERM');
      assert.equal(await child.exited, 0);
    } finally {
      await child?.kill();
      await emulator.close();
    }
  });

  describe('the clear-text Basic-auth warning', () => {
    it('is logged for plain HTTP on a non-loopback host, naming the host', async () => {
      const host = await nonLoopbackName();
      const log = logCapture();
      const stack = await startStack({ users: [USER], config: { server: { host } }, logSink: log.sink });
      try {
        const warnings = log.lines().filter(isClearTextWarning);
        assert.equal(warnings.length, 1, JSON.stringify(log.lines()));
        assert.equal(warnings[0]?.host, host);
        // The server still works (dialled on loopback only).
        assert.equal((await raw(loopbackUrl(stack), 'PROPFIND', '/', { headers: { ...auth, Depth: '0' } })).status, 207);
      } finally {
        await stack.close();
      }
    });

    it('is not logged for HTTPS on the same host', async () => {
      const host = await nonLoopbackName();
      const log = logCapture();
      const stack = await startStack({ users: [USER], config: { server: { host, tls: { cert: files.cert, key: files.key } } }, logSink: log.sink });
      try {
        assert.equal(log.lines().filter(isClearTextWarning).length, 0, JSON.stringify(log.lines()));
        assert.equal((await raw(loopbackUrl(stack), 'PROPFIND', '/', { headers: { ...auth, Depth: '0' }, ca })).status, 207);
      } finally {
        await stack.close();
      }
    });

    it('is not logged for plain HTTP on loopback', async () => {
      const log = logCapture();
      const stack = await startStack({ users: [USER], logSink: log.sink });
      try {
        assert.equal((await raw(stack.url, 'PROPFIND', '/', { headers: { ...auth, Depth: '0' } })).status, 207);
        assert.equal(log.lines().filter(isClearTextWarning).length, 0);
      } finally {
        await stack.close();
      }
    });
  });
});
