/** Shared by the emulator specs: a logged-in session and raw HTTP helpers (the emulator itself starts through spec/support/emulator.ts). */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { Emulator } from '../../lib/emulator/index.js';

export interface LoginPayload {
  username: string;
  realm: string;
  well_known_link: string;
  auth_token: string;
}

export function decodeLoginToken(token: string): LoginPayload {
  return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as LoginPayload;
}

export const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

export interface TokenJson {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

export function form(values: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(values).toString() };
}

/** Exchanges a login token for tokens the way rclone does. */
export async function exchange(emu: Emulator, loginToken = emu.mintLoginToken()): Promise<TokenJson> {
  const p = decodeLoginToken(loginToken);
  const res = await fetch(emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'password', password: p.auth_token, scope: 'openid offline_access', username: p.username }));
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenJson;
}

export interface Session {
  emu: Emulator;
  token: string;
  user: string;
  /** Absolute URL of a JFS path below the user (`Jotta/Archive/...`), segments escaped. */
  jfs(path: string): string;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, query: string, init?: RequestInit): Promise<Response>;
  api(path: string, init?: RequestInit): Promise<Response>;
  allocate(body: Record<string, unknown>): Promise<{ status: number; json: AllocateJson }>;
  upload(path: string, data: Buffer | string, times?: { created?: string; modified?: string }): Promise<AllocateJson>;
  auth(init?: RequestInit): RequestInit;
}

export interface AllocateJson {
  name: string;
  path: string;
  state: string;
  upload_id: string;
  upload_url: string;
  bytes: number;
  resume_pos: number;
}

/** Escapes like a careful client: every segment fully percent-encoded, `+` as %2B. */
export function escapePath(path: string): string {
  return path.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

export async function session(emu: Emulator): Promise<Session> {
  const tokens = await exchange(emu);
  const user = emu.username;
  const auth = (init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${tokens.access_token}` } });
  const jfs = (path: string) => `${emu.urls.jfs}${user}/${escapePath(path)}`;
  const s: Session = {
    emu,
    token: tokens.access_token,
    user,
    jfs,
    auth,
    get: (path, init) => fetch(jfs(path), auth(init)),
    post: (path, query, init) => fetch(`${jfs(path)}?${query}`, auth({ method: 'POST', ...init })),
    api: (path, init) => fetch(`${emu.urls.api}${path}`, auth(init)),
    async allocate(body) {
      const res = await fetch(`${emu.urls.api}files/v1/allocate`, auth({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
      return { status: res.status, json: (await res.json()) as AllocateJson };
    },
    async upload(path, data, times = {}) {
      const buf = Buffer.from(data);
      const { status, json } = await s.allocate({ path: `/jfs/${path}`, bytes: buf.length, md5: md5(buf), ...times });
      if (status !== 200) throw new Error(`allocate ${path}: ${status} ${JSON.stringify(json)}`);
      if (json.state === 'COMPLETED') return json;
      const res = await fetch(json.upload_url, auth({ method: 'POST', body: buf.subarray(json.resume_pos), headers: json.resume_pos > 0 ? { range: `bytes=${json.resume_pos}-${buf.length - 1}` } : {} }));
      if (res.status !== 200) throw new Error(`upload ${path}: ${res.status} ${await res.text()}`);
      return json;
    },
  };
  return s;
}

/** Attribute value of the first `<tag ... attr="...">` (the specs read XML with small regexes on purpose: an independent reading). */
export function attr(xml: string, tag: string, name: string): string | undefined {
  const m = new RegExp(`<${tag}\\b[^>]*\\s${name}="([^"]*)"`).exec(xml);
  return m?.[1];
}

export function textOf(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
  return m?.[1];
}

export function allText(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);
}

export function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!);
}

/** A request whose target goes on the wire byte for byte (fetch would normalise `%2E` and friends). */
export function raw(
  url: string,
  target: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: options.method ?? 'GET', path: target, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
