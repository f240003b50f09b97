/**
 * The table of every scalar option: its dotted path, type, default and documentation. Env var
 * names, command-line flags, the README table and config.example.json are all derived from it,
 * so an option cannot exist in one place and be missing in another. The structured parts
 * (users, accounts) are described in structured.ts.
 *
 * One owner for every default: this table (and structured.ts for users and accounts). The
 * library declares none of its own: a setting is a required option of the layer that uses it
 * (lib/app.ts passes the config's value through davSettingsOf and vfsSettingsOf; specs take
 * the table's through spec/support/defaults.ts). Only a switch that is off, or a list that is
 * empty, may be left out, and then means exactly what the default here means. Constants
 * that are not settings (buffer sizes, lease times) live beside the code that uses them.
 */
import { tmpdir } from 'node:os';
import { JOTTACLOUD_DEFAULT_ENCODING } from '../util/encoding-flags.js';
import { LOG_FORMATS, LOG_LEVELS } from '../util/logger.js';
import { formatDuration, formatSize, parseDuration, parseSize } from './units.js';

export type OptionKind =
  | 'string'
  | 'nullable-string'
  | 'path'
  | 'nullable-path'
  | 'url-path'
  | 'nullable-url-path'
  | 'bool'
  | 'port'
  | 'duration'
  | 'size'
  | 'enum'
  | 'list'
  | 'encoding'
  | 'store';

export interface OptionSpec {
  /** Dotted path into JottadavConfig. */
  path: string;
  kind: OptionKind;
  /** The value as config.example.json shows it; coerced like any file value at load time. */
  default: unknown;
  doc: string;
  values?: readonly string[];
  /** Extra flag names besides the one derived from the path (`--port` for `server.port`). */
  aliases?: readonly string[];
  /** What null stands for, when it is resolved at load time (the OS temp dir). */
  nullMeans?: () => unknown;
  /**
   * Accepted so that a setting copied from rclone still loads, and otherwise ignored: a value is
   * checked like any other, then a warning says it has no effect (the doc says why). It has no
   * default and never reaches JottadavConfig, so nothing can come to depend on it.
   */
  ignored?: true;
}

export const OPTIONS: readonly OptionSpec[] = [
  { path: 'server.host', kind: 'string', default: '127.0.0.1', aliases: ['host'], doc: 'Interface to listen on. Use 0.0.0.0 to serve the network (then configure TLS).' },
  { path: 'server.port', kind: 'port', default: 8080, aliases: ['port'], doc: 'TCP port; 0 picks a free one.' },
  { path: 'server.basePath', kind: 'url-path', default: '/', aliases: ['base-path'], doc: 'URL prefix of the WebDAV tree, e.g. /dav behind a reverse proxy.' },
  { path: 'server.realm', kind: 'string', default: 'jottadav', doc: 'Basic-auth realm shown in clients\u2019 password dialogs.' },
  { path: 'server.tls.cert', kind: 'nullable-path', default: null, aliases: ['tls-cert'], doc: 'PEM certificate (chain) file; with tls.key turns on HTTPS.' },
  { path: 'server.tls.key', kind: 'nullable-path', default: null, aliases: ['tls-key'], doc: 'PEM private key file for tls.cert.' },
  { path: 'server.healthPath', kind: 'nullable-url-path', default: '/_health', aliases: ['health-path'], doc: 'Unauthenticated health check path, outside the WebDAV tree; null turns it off.' },
  { path: 'server.timeouts.headers', kind: 'duration', default: '60s', doc: 'Time allowed to receive the request headers; a client still sending them then gets 408 and the connection is closed.' },
  { path: 'server.timeouts.request', kind: 'duration', default: 0, doc: 'Time allowed to receive a whole request, headers and body; 0 = unlimited (large uploads take minutes). A request still arriving then gets 408.' },
  { path: 'server.timeouts.keepAlive', kind: 'duration', default: '5s', doc: 'How long a kept-alive connection may wait for its next request before the server closes it.' },
  { path: 'server.trustedProxies', kind: 'list', default: [], aliases: ['trusted-proxies'], doc: 'Reverse proxies (IP addresses or CIDR subnets, e.g. 10.0.0.0/8) whose X-Forwarded-For names the client for the failed-login throttle; from any other peer the header is ignored.' },
  { path: 'server.timeouts.idle', kind: 'duration', default: '10m', doc: 'Socket inactivity mid-request before the connection is dropped; 0 = never.' },
  { path: 'anonymous.enabled', kind: 'bool', default: false, doc: 'Serve requests without credentials (explicit opt-in).' },
  { path: 'anonymous.account', kind: 'nullable-string', default: null, doc: 'Account anonymous requests use (required when anonymous.enabled).' },
  { path: 'anonymous.root', kind: 'string', default: '/', doc: 'Folder inside that account anonymous requests see as /.' },
  { path: 'anonymous.readOnly', kind: 'bool', default: true, doc: 'Anonymous requests may only read.' },
  { path: 'store', kind: 'store', default: 'file', aliases: ['store'], doc: 'Where locks, dead properties, placeholders and local-only files live: memory, file (an LMDB database in dataDir) or a redis:// URL (several instances; listings and quota are cached there too).' },
  { path: 'dataDir', kind: 'path', default: '.jottadav', aliases: ['data-dir'], doc: 'State directory (file store). Relative paths are relative to the config file.' },
  { path: 'cache.listingTtl', kind: 'duration', default: '30s', doc: 'How long a folder listing is reused; changes made through jottadav invalidate it at once.' },
  { path: 'cache.missTtl', kind: 'duration', default: '2s', doc: 'How long a name found absent on the service is believed absent before it is asked for again (a cached listing never decides that alone).' },
  { path: 'cache.quotaTtl', kind: 'duration', default: '5m', doc: 'How long usage and quota are reused for quota properties.' },
  { path: 'cache.fastList', kind: 'bool', default: true, doc: 'When a client walks a tree (a folder, then two of its subfolders, listed within 10 s), read the whole subtree in one request (up to 50,000 entries) and answer the rest of the walk from the cache.' },
  { path: 'cache.memory', kind: 'size', default: '32MiB', doc: 'Memory for cached folder listings in this process (least recently used go first). With a redis:// store listings are cached in Redis instead, shared by every instance.' },
  { path: 'uploads.md5MemoryLimit', kind: 'size', default: '10MiB', doc: 'Uploads up to this size are spooled in memory, larger ones on disk (rclone md5_memory_limit).' },
  { path: 'uploads.uploadResumeLimit', kind: 'size', default: null, ignored: true, doc: 'No effect: accepted so that rclone\'s upload_resume_limit still loads. jottadav resumes every interrupted upload from the service\'s resume position, small ones too.' },
  { path: 'uploads.spoolDir', kind: 'nullable-path', default: null, nullMeans: tmpdir, aliases: ['spool-dir'], doc: 'Directory for upload spool files; default the OS temp directory.' },
  { path: 'uploads.directIo', kind: 'bool', default: true, doc: 'Write and read spool files past the page cache (O_DIRECT) where the filesystem allows: a big upload then does not fill the cache or count against a container\'s memory. Off: through the page cache.' },
  { path: 'uploads.noVersions', kind: 'bool', default: false, aliases: ['no-versions'], doc: 'Overwrite without keeping the old content as a revision (rclone no_versions): the new content is uploaded under a hidden swap name, then the old file is deleted permanently and the new one takes its name. Saves quota; the old content is gone for good, and an overwrite takes three more requests. Off: Jottacloud keeps every overwritten version as a revision.' },
  { path: 'names.encoding', kind: 'encoding', default: JOTTACLOUD_DEFAULT_ENCODING, aliases: ['encoding'], doc: 'How names are stored: rclone\'s encoding list (--jottacloud-encoding), e.g. Slash,Colon,Dot, or None/Raw. Must match the list of any rclone remote that shares the account, or the two show different names.' },
  { path: 'hardDelete', kind: 'bool', default: false, aliases: ['hard-delete'], doc: 'Delete permanently instead of moving to the trash (rclone hard_delete).' },
  { path: 'trashedOnly', kind: 'bool', default: false, aliases: ['trashed-only'], doc: 'Read-only view of the trash in its original folder structure (rclone trashed_only).' },
  { path: 'localOnly.enabled', kind: 'bool', default: true, doc: 'Keep junk files (patterns below) locally and never upload them.' },
  { path: 'localOnly.patterns', kind: 'list', default: ['._*', '.DS_Store', 'Thumbs.db', 'desktop.ini', '~$*', '.~lock.*#'], doc: 'Name patterns (* and ? wildcards, whole name, case-insensitive) kept local-only.' },
  { path: 'localOnly.ttl', kind: 'duration', default: '1h', doc: 'How long a local-only file lives after its last write.' },
  { path: 'placeholders.grace', kind: 'duration', default: '30s', doc: 'How long an empty placeholder (from an empty PUT or a LOCK) waits for content before it becomes a real empty file.' },
  { path: 'locks.defaultTimeout', kind: 'duration', default: '1h', doc: 'Lock lifetime when the client asks for none (a LOCK without a Timeout header).' },
  { path: 'locks.minTimeout', kind: 'duration', default: '10s', doc: 'Shortest lock lifetime granted.' },
  { path: 'locks.maxTimeout', kind: 'duration', default: '24h', doc: 'Longest lock lifetime granted; a client asking for Infinite gets this.' },
  { path: 'log.format', kind: 'enum', values: LOG_FORMATS, default: 'auto', aliases: ['log-format'], doc: 'json (one object per line), pretty (readable) or auto: pretty when stdout and stderr are both a terminal, else JSON on every line of the run, the startup banner included.' },
  { path: 'log.level', kind: 'enum', values: LOG_LEVELS, default: 'info', aliases: ['log-level'], doc: 'debug, info, warn, error or silent.' },
  { path: 'metrics.enabled', kind: 'bool', default: false, aliases: ['metrics'], doc: 'Serve Prometheus metrics at /metrics on a listener of their own (metrics.host, metrics.port), apart from WebDAV.' },
  { path: 'metrics.host', kind: 'string', default: '127.0.0.1', doc: 'Interface the metrics listener binds. It asks for no credentials: keep it on loopback or a private interface.' },
  { path: 'metrics.port', kind: 'port', default: 9464, doc: 'Port of the metrics listener; 0 picks a free one.' },
  { path: 'shutdown.grace', kind: 'duration', default: '30s', doc: 'On SIGTERM/SIGINT, how long in-flight uploads may take to finish.' },
];

export const OPTION_BY_PATH: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.path, o]));

/** `uploads.md5MemoryLimit` → `JOTTADAV_UPLOADS_MD5_MEMORY_LIMIT`. */
export function envNameOf(path: string): string {
  return `JOTTADAV_${path
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
    .join('_')}`;
}

/** `uploads.md5MemoryLimit` → `uploads-md5-memory-limit`. */
export function flagNameOf(path: string): string {
  return path
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase())
    .join('-');
}

/** The default as a person reads it in the README table. */
export function describeDefault(option: OptionSpec): string {
  const value = option.default;
  if (option.ignored) return '— (ignored)';
  if (value === null && option.nullMeans) return 'null (OS temp dir)';
  if (value === null) return 'null';
  if (option.kind === 'duration') return formatDuration(parseDuration(value) ?? 0);
  if (option.kind === 'size') return formatSize(parseSize(value) ?? 0);
  if (Array.isArray(value)) return value.map((v) => `\`${String(v)}\``).join(' ');
  return String(value);
}
