/**
 * validateConfig: raw merged values → the typed config plus EVERY problem found, each with a
 * hint. It never stops at the first problem: a bad value is reported and its default used, so
 * that the checks after it still run and the operator fixes everything in one pass.
 */
import { parseAddressOrSubnet } from '../util/address-or-subnet.js';
import { OPTIONS } from './options.js';
import { coerce, show } from './coerce.js';
import { checkFiles } from './check-files.js';
import { didYouMean } from './suggest.js';
import {
  ACCOUNT_DEFAULTS,
  ACCOUNT_FIELDS,
  ACCOUNT_NAME_PATTERN,
  ENDPOINT_FIELDS,
  PASSWORD_HASH_PATTERN,
  SPECIAL_MOUNT_POINTS,
  USER_DEFAULTS,
  USER_FIELDS,
} from './structured.js';
import type { AccountConfig, ConfigProblem, JottadavConfig, Severity, UserConfig } from './types.js';

export interface ValidateOptions {
  /** Relative paths resolve against this (the config file's folder). Default: the cwd. */
  baseDir?: string;
  /** Where each dotted path's value came from, for messages ("env JOTTADAV_SERVER_PORT"). */
  sources?: ReadonlyMap<string, string>;
  /** Look at the files the config names (token files, TLS pair, spool dir). Default true. */
  checkFiles?: boolean;
  /** Known service keys (from lib/jottacloud's services table); any key is accepted when absent. */
  services?: readonly string[];
}

export interface Validated {
  config: JottadavConfig;
  problems: ConfigProblem[];
}

export class Problems {
  readonly list: ConfigProblem[] = [];
  constructor(private readonly sources: ReadonlyMap<string, string> = new Map()) {}

  add(severity: Severity, path: string, message: string, hint: string): void {
    const source = this.sourceOf(path);
    this.list.push({ severity, path, message, hint, ...(source ? { source } : {}) });
  }
  error(path: string, message: string, hint: string): void {
    this.add('error', path, message, hint);
  }
  warn(path: string, message: string, hint: string): void {
    this.add('warning', path, message, hint);
  }

  private sourceOf(path: string): string | undefined {
    // users[2].root came with `users`, accounts.home.device with `accounts`.
    for (let p = path; p !== ''; p = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
      const s = this.sources.get(p);
      if (s) return s;
      if (!/[.[]/.test(p)) break;
    }
    return undefined;
  }
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `//…` keys are comments (config.example.json uses them); `$schema` is for editors. */
const isCommentKey = (k: string): boolean => k.startsWith('//') || k === '$schema';

/** The nested key tree of the scalar options, for unknown-key detection. */
function optionTree(): Obj {
  const tree: Obj = { users: true, accounts: true };
  for (const o of OPTIONS) {
    const parts = o.path.split('.');
    let node = tree;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Obj;
    node[parts[parts.length - 1] as string] = true;
  }
  return tree;
}
const TREE = optionTree();

export function validateConfig(raw: unknown, options: ValidateOptions = {}): Validated {
  const baseDir = options.baseDir ?? process.cwd();
  const p = new Problems(options.sources);
  const root: Obj = isObj(raw) ? raw : {};
  if (!isObj(raw) && raw !== undefined) p.error('(root)', `the config must be a JSON object, got ${show(raw)}`, 'start the file with { and end it with }');

  checkUnknownKeys(root, TREE, '', p);

  const config = {} as Obj;
  for (const option of OPTIONS) {
    const value = get(root, option.path);
    if (option.ignored) {
      if (value === undefined) continue;
      const c = coerce(option.kind, value, baseDir, option.values);
      if (c.ok) p.warn(option.path, 'has no effect (accepted for rclone parity)', option.doc);
      else p.error(option.path, c.message, c.hint);
      continue;
    }
    // The default goes through the same coercion (units, paths), so it cannot disagree with
    // what the same text in a file would mean.
    const fallback = coerce(option.kind, option.default, baseDir, option.values);
    let typed: unknown = fallback.ok ? fallback.value : option.default;
    if (value !== undefined) {
      const c = coerce(option.kind, value, baseDir, option.values);
      if (c.ok) typed = c.value;
      else p.error(option.path, c.message, c.hint);
    }
    if (typed === null && option.nullMeans) typed = option.nullMeans();
    set(config, option.path, typed);
  }
  const cfg = config as unknown as JottadavConfig;
  cfg.accounts = validateAccounts(root.accounts, baseDir, p, options.services);
  cfg.users = validateUsers(root.users, cfg.accounts, p);

  checkSemantics(cfg, p);
  if (options.checkFiles !== false) checkFiles(cfg, p);
  return { config: cfg, problems: p.list };
}

function checkUnknownKeys(obj: Obj, tree: Obj, prefix: string, p: Problems): void {
  for (const [key, value] of Object.entries(obj)) {
    if (isCommentKey(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const known = tree[key];
    if (known === undefined) {
      p.error(path, `unknown option '${key}'${prefix ? ` in ${prefix}` : ''}`, didYouMean(key, Object.keys(tree)));
    } else if (isObj(known)) {
      if (isObj(value)) checkUnknownKeys(value, known, path, p);
      else if (value !== undefined) p.error(path, `must be an object, got ${show(value)}`, `known keys: ${Object.keys(known).join(', ')}`);
    }
  }
}

function validateAccounts(raw: unknown, baseDir: string, p: Problems, services?: readonly string[]): Record<string, AccountConfig> {
  const accounts: Record<string, AccountConfig> = {};
  if (raw === undefined) return accounts;
  if (!isObj(raw)) {
    p.error('accounts', `must be an object of named accounts, got ${show(raw)}`, '{"default": {"tokenFile": "token.json"}} — `jottadav login` writes it');
    return accounts;
  }
  for (const [name, entry] of Object.entries(raw)) {
    if (isCommentKey(name)) continue;
    const at = `accounts.${name}`;
    if (!ACCOUNT_NAME_PATTERN.test(name)) p.error(at, `account name '${name}' is not allowed`, 'use letters, digits, . _ - (up to 64)');
    if (!isObj(entry)) {
      p.error(at, `must be an object, got ${show(entry)}`, '{"tokenFile": "token.json", "device": "Jotta", "mountPoint": "Archive"}');
      continue;
    }
    checkFieldNames(entry, ACCOUNT_FIELDS.map((f) => f.name), at, p);
    const account: AccountConfig = {
      ...ACCOUNT_DEFAULTS,
      tokenFile: '',
      endpoints: { jfs: null, api: null, www: null, wellKnown: null },
    };
    if (entry.tokenFile === undefined) {
      p.error(`${at}.tokenFile`, 'is required', 'run `jottadav login` to create a token file and this entry');
    } else {
      const c = coerce('path', entry.tokenFile, baseDir);
      if (c.ok) account.tokenFile = c.value as string;
      else p.error(`${at}.tokenFile`, c.message, c.hint);
    }
    for (const field of ['service', 'device', 'mountPoint'] as const) {
      if (entry[field] === undefined) continue;
      const c = coerce('string', entry[field], baseDir);
      if (c.ok) account[field] = c.value as string;
      else p.error(`${at}.${field}`, c.message, c.hint);
    }
    if (services && !services.includes(account.service)) {
      p.error(`${at}.service`, `unknown service '${account.service}'`, didYouMean(account.service, services));
    }
    if (SPECIAL_MOUNT_POINTS.some((m) => m.toLowerCase() === account.mountPoint.toLowerCase())) {
      p.warn(`${at}.mountPoint`, `'${account.mountPoint}' is a special Jottacloud view, not a regular mount point`, 'serve Archive or Sync; special views are read-only and barely supported');
    }
    if (entry.allDevices !== undefined) {
      const c = coerce('bool', entry.allDevices, baseDir);
      if (c.ok) account.allDevices = c.value as boolean;
      else p.error(`${at}.allDevices`, c.message, c.hint);
    }
    if (entry.endpoints !== undefined) {
      if (!isObj(entry.endpoints)) {
        p.error(`${at}.endpoints`, `must be an object, got ${show(entry.endpoints)}`, `keys: ${ENDPOINT_FIELDS.join(', ')}`);
      } else {
        checkFieldNames(entry.endpoints, ENDPOINT_FIELDS, `${at}.endpoints`, p);
        for (const key of ENDPOINT_FIELDS) {
          const v = entry.endpoints[key];
          if (v === undefined || v === null) continue;
          if (typeof v === 'string' && isHttpUrl(v)) account.endpoints[key] = v;
          else p.error(`${at}.endpoints.${key}`, `must be an http(s) URL, got ${show(v)}`, 'for example http://127.0.0.1:9000/jfs/ for the emulator');
        }
      }
    }
    accounts[name] = account;
  }
  return accounts;
}

function validateUsers(raw: unknown, accounts: Record<string, AccountConfig>, p: Problems): UserConfig[] {
  const users: UserConfig[] = [];
  if (raw === undefined) return users;
  if (!Array.isArray(raw)) {
    p.error('users', `must be a list of users, got ${show(raw)}`, '[{"name": "alice", "passwordHash": "…from jottadav hash-password…"}]');
    return users;
  }
  const accountNames = Object.keys(accounts);
  const seen = new Map<string, number>();
  raw.forEach((entry, i) => {
    const at = `users[${i}]`;
    if (!isObj(entry)) {
      p.error(at, `must be an object, got ${show(entry)}`, '{"name": "alice", "passwordHash": "scrypt$…"}');
      return;
    }
    checkFieldNames(entry, USER_FIELDS.map((f) => f.name), at, p);
    const user: UserConfig = { ...USER_DEFAULTS, name: '', passwordHash: '', account: '' };
    if (typeof entry.name !== 'string' || entry.name === '') {
      p.error(`${at}.name`, entry.name === undefined ? 'is required' : `must be a non-empty string, got ${show(entry.name)}`, 'the login name the WebDAV client sends');
    } else if (entry.name.includes(':') || /[\s\x00-\x1f]/.test(entry.name)) {
      p.error(`${at}.name`, `'${entry.name}' contains a colon, space or control character`, 'Basic auth cannot carry those in a user name');
    } else {
      user.name = entry.name;
      const first = seen.get(entry.name);
      if (first !== undefined) p.error(`${at}.name`, `duplicate user '${entry.name}' (also users[${first}])`, 'user names must be unique');
      else seen.set(entry.name, i);
    }
    if (typeof entry.passwordHash !== 'string') {
      p.error(`${at}.passwordHash`, entry.passwordHash === undefined ? 'is required' : `must be a string, got ${show(entry.passwordHash)}`, 'run `jottadav hash-password` and paste its output');
    } else if (!PASSWORD_HASH_PATTERN.test(entry.passwordHash)) {
      // Never echo the value: it may be a plain password pasted by mistake.
      p.error(`${at}.passwordHash`, 'is not a scrypt hash (expected scrypt$…)', 'run `jottadav hash-password`; the config must never hold the password itself');
    } else {
      user.passwordHash = entry.passwordHash;
    }
    if (entry.account === undefined) {
      if (accountNames.length === 1) user.account = accountNames[0] as string;
      else p.error(`${at}.account`, accountNames.length === 0 ? 'no account is configured' : 'is required when there are several accounts', accountNames.length === 0 ? 'run `jottadav login` to add one' : `one of: ${accountNames.join(', ')}`);
    } else if (typeof entry.account !== 'string') {
      p.error(`${at}.account`, `must be an account name, got ${show(entry.account)}`, `one of: ${accountNames.join(', ') || '(none configured)'}`);
    } else {
      user.account = entry.account;
      if (!Object.hasOwn(accounts, entry.account)) {
        p.error(`${at}.account`, `refers to unknown account '${entry.account}'`, accountNames.length ? didYouMean(entry.account, accountNames) : 'add it under "accounts" (jottadav login)');
      }
    }
    if (entry.root !== undefined) {
      const c = coerce('url-path', entry.root, '/');
      if (c.ok) user.root = c.value as string;
      else p.error(`${at}.root`, c.message, "a folder inside the account such as '/' or '/Family/Photos'");
    }
    if (entry.readOnly !== undefined) {
      const c = coerce('bool', entry.readOnly, '/');
      if (c.ok) user.readOnly = c.value as boolean;
      else p.error(`${at}.readOnly`, c.message, c.hint);
    }
    users.push(user);
  });
  return users;
}

function checkSemantics(cfg: JottadavConfig, p: Problems): void {
  const { server, anonymous, locks, uploads } = cfg;
  if ((server.tls.cert === null) !== (server.tls.key === null)) {
    const missing = server.tls.cert === null ? 'server.tls.cert' : 'server.tls.key';
    p.error(missing, 'TLS needs both a certificate and a key; only one is set', `set ${missing} too, or remove both for plain HTTP`);
  }
  if (server.healthPath !== null && server.basePath !== '/' && (server.healthPath === server.basePath || server.healthPath.startsWith(`${server.basePath}/`))) {
    p.error('server.healthPath', `'${server.healthPath}' lies inside the WebDAV tree '${server.basePath}'`, 'pick a path outside server.basePath, e.g. /_health');
  }
  for (const entry of server.trustedProxies) {
    if (!parseAddressOrSubnet(entry)) p.error('server.trustedProxies', `not an IP address or CIDR subnet: ${show(entry)}`, "e.g. ['127.0.0.1', '10.0.0.0/8', 'fd00::/8']");
  }
  if (Object.keys(cfg.accounts).length === 0) {
    p.error('accounts', 'no account is configured', 'run `jottadav login` to log in and write one');
  }
  if (cfg.users.length === 0 && !anonymous.enabled) {
    p.error('users', 'no user can log in (no users, anonymous access off)', 'add a user with a hash from `jottadav hash-password`, or set anonymous.enabled');
  }
  if (anonymous.enabled) {
    if (anonymous.account === null) p.error('anonymous.account', 'is required when anonymous.enabled is true', `one of: ${Object.keys(cfg.accounts).join(', ') || '(none configured)'}`);
    else if (!Object.hasOwn(cfg.accounts, anonymous.account)) p.error('anonymous.account', `refers to unknown account '${anonymous.account}'`, didYouMean(anonymous.account, Object.keys(cfg.accounts)));
    if (!anonymous.readOnly) p.warn('anonymous.readOnly', 'anyone who can reach the server may change and delete files', 'set anonymous.readOnly to true unless this is what you want');
  }
  const rootCheck = coerce('url-path', anonymous.root, '/');
  if (!rootCheck.ok) p.error('anonymous.root', rootCheck.message, "a folder inside the account such as '/'");
  if (locks.minTimeout > locks.maxTimeout) p.error('locks.minTimeout', 'is longer than locks.maxTimeout', 'minTimeout <= defaultTimeout <= maxTimeout');
  else if (locks.defaultTimeout < locks.minTimeout || locks.defaultTimeout > locks.maxTimeout) p.error('locks.defaultTimeout', 'is outside locks.minTimeout..locks.maxTimeout', 'minTimeout <= defaultTimeout <= maxTimeout');
  if (locks.minTimeout < 1000) p.error('locks.minTimeout', 'must be at least 1s', 'WebDAV lock timeouts are counted in whole seconds');
  if (uploads.md5MemoryLimit > 1024 ** 3) p.warn('uploads.md5MemoryLimit', 'above 1 GiB: every concurrent upload may hold this much memory', 'keep it small (default 10M); larger uploads spool to disk');
  if (server.timeouts.headers === 0) p.error('server.timeouts.headers', 'must be greater than 0', 'without it, a slow client can hold a connection open forever');
  if (server.timeouts.request !== 0 && server.timeouts.request < server.timeouts.headers) p.error('server.timeouts.request', 'is shorter than server.timeouts.headers', 'use 0 (unlimited) or a value above the headers timeout');
  if (server.tls.cert === null && cfg.users.length > 0 && !isLoopbackHost(server.host)) {
    p.warn('server.host', `Basic-auth passwords would cross the network in clear text (listening on ${server.host} without TLS)`, 'set server.tls.cert and server.tls.key, or put a TLS proxy in front and listen on 127.0.0.1');
  }
}

function checkFieldNames(obj: Obj, names: readonly string[], at: string, p: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!isCommentKey(key) && !names.includes(key)) p.error(`${at}.${key}`, `unknown field '${key}'`, didYouMean(key, names));
  }
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

/** An absolute http: or https: URL (endpoint overrides, also checked by the login flags). */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function get(obj: Obj, path: string): unknown {
  let node: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObj(node)) return undefined;
    node = node[part];
  }
  return node;
}

function set(obj: Obj, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = obj;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Obj;
  node[parts[parts.length - 1] as string] = value;
}
