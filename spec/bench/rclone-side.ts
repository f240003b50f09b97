/**
 * rclone as the bench's point of comparison, on the same emulator as jottadav:
 * - `rclone serve webdav jotta: --vfs-cache-mode off`, a WebDAV bridge over rclone's own
 *   jottacloud backend (the program people would otherwise run);
 * - `rclone copy DIR jotta:…`, rclone's backend copying straight to the service;
 * - `rclone copy DIR dav:…`, rclone as a WebDAV client of either bridge.
 * rclone reaches the emulator through the loopback TLS proxy (jottacloud-tls-proxy.ts). It gets a
 * login of its own, the one its config wizard would make: a second client sharing jottadav's
 * refresh token would trip the service's reuse detection.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Child, freePort } from './bridge-processes.js';
import type { EmulatorInfo } from './bridge-processes.js';
import { makeTestCa, startTlsProxy, type TlsProxy } from './jottacloud-tls-proxy.js';

const run = promisify(execFile);

/** rclone's current default name encoding for jottacloud (the Debian 1.60 build lacks Percent). */
const ENCODING = 'Slash,LtGt,DoubleQuote,Colon,Question,Asterisk,Pipe,Percent,Del,Ctl,InvalidUtf8,Dot';

export async function rcloneVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('rclone', ['version']);
    return stdout.split('\n')[0]?.trim();
  } catch {
    return undefined;
  }
}

interface LoginToken {
  username: string;
  well_known_link: string;
  auth_token: string;
}

/**
 * A login of its own, as rclone's config wizard makes one from a fresh login token: a password
 * grant at the token endpoint the token's discovery document names.
 */
export async function freshLogin(emulator: EmulatorInfo): Promise<{ tokenUrl: string; accessToken: string; token: string }> {
  const minted = (await (await fetch(`${emulator.url}/_emulator/login-token`, { method: 'POST' })).json()) as { loginToken: string };
  const login = JSON.parse(Buffer.from(minted.loginToken, 'base64').toString('utf8')) as LoginToken;
  const discovery = (await (await fetch(login.well_known_link)).json()) as { token_endpoint: string };
  const form = new URLSearchParams({ grant_type: 'password', client_id: 'jottacli', username: login.username, password: login.auth_token, scope: 'openid offline_access' });
  const answer = await fetch(discovery.token_endpoint, { method: 'POST', body: form });
  if (!answer.ok) throw new Error(`rclone's login: token endpoint answered ${answer.status}: ${await answer.text()}`);
  const t = (await answer.json()) as { access_token: string; refresh_token: string; token_type: string; expires_in: number };
  const expiry = new Date(Date.now() + t.expires_in * 1000).toISOString();
  const token = JSON.stringify({ access_token: t.access_token, token_type: t.token_type, refresh_token: t.refresh_token, expiry });
  return { tokenUrl: discovery.token_endpoint, accessToken: t.access_token, token };
}

export interface RcloneSide {
  proxy: TlsProxy;
  /** Environment and flags every rclone command of the bench runs with. */
  env: NodeJS.ProcessEnv;
  flags: string[];
  /** `rclone copy src remote:dest` with this side's config; answers the wall time in ms. */
  copy(src: string, dest: string, extra?: string[]): Promise<number>;
  /** Adds a `[name] type = webdav` remote for a WebDAV server (either bridge). */
  addWebdavRemote(name: string, url: string, user?: string, password?: string): Promise<void>;
  /** Starts `rclone serve webdav jotta:` on a free loopback port. */
  serveWebdav(): Promise<{ child: Child; url: string }>;
  /** Wall time of `times` GETs of `url` in one curl (one kept-alive connection), optionally through the proxy. */
  timeCurl(url: string, bearer: string, times: number, viaProxy: boolean): Promise<number>;
  close(): Promise<void>;
}

export async function startRcloneSide(dir: string, emulator: EmulatorInfo): Promise<RcloneSide> {
  const ca = await makeTestCa(join(dir, 'ca'));
  const proxy = await startTlsProxy(ca, emulator.url);
  const { tokenUrl, token } = await freshLogin(emulator);
  const configFile = join(dir, 'rclone.conf');
  const remotes: string[] = [
    ['[jotta]', 'type = jottacloud', 'configVersion = 1', 'client_id = jottacli', 'client_secret =', `tokenURL = ${tokenUrl}`, `token = ${token}`, 'device = Jotta', 'mountpoint = Archive', `encoding = ${ENCODING}`].join('\n'),
  ];
  const writeConfig = () => writeFile(configFile, `${remotes.join('\n\n')}\n`, { mode: 0o600 });
  await writeConfig();
  // HTTPS_PROXY reaches only the hard-coded jottacloud hosts; loopback URLs (token endpoint, upload
  // URLs, the bridges) are excluded so that they go straight to their servers.
  const env: NodeJS.ProcessEnv = { ...process.env, HTTPS_PROXY: proxy.url, https_proxy: proxy.url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  const flags = ['--config', configFile, '--ca-cert', ca.caFile, '--low-level-retries', '3', '--retries', '1'];
  const children: Child[] = [];
  return {
    proxy,
    env,
    flags,
    async copy(src, dest, extra = []) {
      const t0 = performance.now();
      await run('rclone', ['copy', src, dest, ...flags, ...extra], { env, maxBuffer: 16 * 1024 * 1024 });
      return performance.now() - t0;
    },
    async addWebdavRemote(name, url, user, password) {
      const lines = [`[${name}]`, 'type = webdav', `url = ${url}`, 'vendor = other'];
      if (user !== undefined && password !== undefined) {
        const { stdout } = await run('rclone', ['obscure', password]);
        lines.push(`user = ${user}`, `pass = ${stdout.trim()}`);
      }
      remotes.push(lines.join('\n'));
      await writeConfig();
    },
    async serveWebdav() {
      const port = await freePort();
      const proc = spawn('rclone', ['serve', 'webdav', 'jotta:', '--addr', `127.0.0.1:${port}`, '--vfs-cache-mode', 'off', ...flags], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      const child = new Child('rclone serve webdav', proc);
      children.push(child);
      const url = `http://127.0.0.1:${port}/`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (!child.alive) throw new Error(child.describe());
        const ok = await fetch(url, { method: 'OPTIONS' }).then((r) => r.status < 500, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error('rclone serve webdav: not ready after 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      return { child, url };
    },
    async timeCurl(url, bearer, times, viaProxy) {
      const args = ['-s', '-f', '-H', `authorization: Bearer ${bearer}`, ...(viaProxy ? ['--proxy', proxy.url, '--cacert', ca.caFile] : ['--noproxy', '*'])];
      for (let i = 0; i < times; i++) args.push('-o', '/dev/null', url);
      const t0 = performance.now();
      await run('curl', args, { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
      return performance.now() - t0;
    },
    async close() {
      for (const child of children) await child.stop(5_000);
      await proxy.close();
    },
  };
}
