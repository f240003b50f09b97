/**
 * The resolved configuration every other part of jottadav receives. All values are
 * normalised: sizes in bytes, durations in milliseconds, paths absolute, defaults filled in.
 * Only lib/config reads files and the environment to build it.
 */
import type { LogFormat, LogLevel } from '../util/logger.js';

export interface ServerConfig {
  /** Interface to listen on; loopback by default so nothing is exposed by accident. */
  host: string;
  port: number;
  /** URL prefix the WebDAV tree is served under ('/' or '/dav', never a trailing slash). */
  basePath: string;
  /** Basic-auth realm shown by clients' password dialogs. */
  realm: string;
  /** PEM files; both set → HTTPS, both null → plain HTTP. */
  tls: { cert: string | null; key: string | null };
  /** Answered without auth, outside the WebDAV tree; null turns it off. */
  healthPath: string | null;
  /** Peers (addresses or CIDR subnets) whose X-Forwarded-For header names the client. */
  trustedProxies: string[];
  timeouts: {
    /** Time allowed to receive the request headers (node `headersTimeout`). */
    headers: number;
    /** Time allowed for a whole request, 0 = unlimited (1 GiB uploads take minutes). */
    request: number;
    /** Idle time before a kept-alive connection is closed. */
    keepAlive: number;
    /** Inactivity on a socket mid-request before it is destroyed, 0 = never. */
    idle: number;
  };
}

export interface UserConfig {
  name: string;
  /** `scrypt$…` from `jottadav hash-password`; never the password itself. */
  passwordHash: string;
  /** Key into `accounts`. */
  account: string;
  /** Folder inside the account this user sees as '/'. */
  root: string;
  readOnly: boolean;
}

export interface AnonymousConfig {
  /** Explicit opt-in: requests without credentials are served as this pseudo-user. */
  enabled: boolean;
  account: string | null;
  root: string;
  readOnly: boolean;
}

export interface EndpointOverrides {
  /** JFS XML API base, e.g. https://jfs.jottacloud.com/jfs/ */
  jfs: string | null;
  /** JSON API base, e.g. https://api.jottacloud.com/ */
  api: string | null;
  /** Base for composing public links, e.g. https://www.jottacloud.com/ */
  www: string | null;
  /** OIDC discovery document URL of the identity server. */
  wellKnown: string | null;
}

export interface AccountConfig {
  /** JSON token file written by `jottadav login` (mode 0600, rewritten on every refresh). */
  tokenFile: string;
  /** `jottacloud` or a white-label key from the services table. */
  service: string;
  device: string;
  mountPoint: string;
  /** Show every device and mount point of the account as top-level folders. */
  allDevices: boolean;
  endpoints: EndpointOverrides;
}

/** Where shared state lives; the same shape lib/store's createStore() takes. */
export type StoreSpec = { kind: 'memory' } | { kind: 'file'; dir: string } | { kind: 'redis'; url: string };

export interface JottadavConfig {
  server: ServerConfig;
  users: UserConfig[];
  anonymous: AnonymousConfig;
  accounts: Record<string, AccountConfig>;
  /** `memory`, `file` (in dataDir) or a `redis://` / `rediss://` URL. */
  store: string;
  /** State directory: the file store, and the demo's emulator data. */
  dataDir: string;
  cache: { listingTtl: number; missTtl: number; quotaTtl: number; memory: number; fastList: boolean };
  uploads: { md5MemoryLimit: number; spoolDir: string; directIo: boolean; noVersions: boolean };
  /** `encoding`: rclone's flag list for stored names, checked and written in rclone's order. */
  names: { encoding: string };
  hardDelete: boolean;
  trashedOnly: boolean;
  localOnly: { enabled: boolean; patterns: string[]; ttl: number };
  placeholders: { grace: number };
  locks: { defaultTimeout: number; minTimeout: number; maxTimeout: number };
  log: { format: LogFormat; level: LogLevel };
  /** The Prometheus endpoint, on its own listener; off unless enabled. */
  metrics: { enabled: boolean; host: string; port: number };
  shutdown: { grace: number };
}

export type Severity = 'error' | 'warning';

/** One thing wrong with a configuration, addressed by its dotted path. */
export interface ConfigProblem {
  severity: Severity;
  /** Dotted path: `server.port`, `users[1].account`, `accounts.home.tokenFile`, or `env`/`flags`. */
  path: string;
  message: string;
  /** What to do about it. */
  hint: string;
  /** Where the offending value came from: the config file, an env var, a flag. */
  source?: string;
}
