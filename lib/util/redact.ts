/**
 * Secret redaction for everything that leaves the process as a log line. Two nets, because
 * either alone leaks: field names catch secrets in structured data (`{ refresh_token: … }`),
 * and value patterns catch secrets that were interpolated into free text (an error message
 * quoting a URL, a header dump, a token endpoint's JSON body pasted into a message).
 */

export const REDACTED = '[REDACTED]';

/**
 * Field names whose value is always a secret, whatever it looks like. Matched on the name
 * lower-cased with `-`/`_` removed, so `refresh_token`, `refreshToken` and `Refresh-Token`
 * are one rule. `authorization` covers the HTTP header in any case.
 */
const SECRET_KEY =
  /(?:password|passwd|passphrase|secret|token|authorization|cookie|credential|apikey|privatekey|passwordhash|authtoken|sessionstate)$/;

/** Field names that carry a secret as a substring (`x-jottacloud-otp`, `proxyAuthorization`). */
const SECRET_KEY_ANYWHERE = /(?:password|secret|authorization|accesstoken|refreshtoken|logintoken|authtoken|idtoken)/;

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_\s.]/g, '');
  return SECRET_KEY.test(k) || SECRET_KEY_ANYWHERE.test(k) || k === 'otp' || k.endsWith('otp');
}

/**
 * Value patterns, applied to every string. Order matters: the header forms run before the
 * generic JWT rule so that `Bearer eyJ…` loses its scheme's credential as one unit.
 */
type Replacer = string | ((match: string, ...groups: string[]) => string);


const VALUE_RULES: ReadonlyArray<[RegExp, Replacer]> = [
  // Authorization header values in free text: `Bearer <x>`, `Basic <x>` (any case). The
  // lookahead wants something credential-shaped (a digit, a base64/JWT sign or a capital past
  // the first letter), so that prose such as "Basic authentication" survives.
  [
    // (No `i` flag: it would make [A-Z] match lower case; the scheme's cases are spelt out.)
    /\b(Bearer|bearer|BEARER|Basic|basic|BASIC|Digest|Negotiate)(\s+)(?=[A-Za-z0-9._~+/=:-]{6,})(?=[A-Za-z0-9._~+/=:-]*?(?:[0-9=+/._~:-]|[A-Za-z][A-Z]))[A-Za-z0-9._~+/=:-]+/g,
    `$1$2${REDACTED}`,
  ],
  // A header line dumped verbatim: `Authorization: <anything up to the line end>`.
  [/\b((?:proxy-)?authorization|cookie|set-cookie)(\s*[:=]\s*)[^\r\n]*/gi, `$1$2${REDACTED}`],
  // key=value and "key": "value" pairs in query strings, form bodies and JSON text (the OAuth
  // token endpoint's bodies). The key decides, by the same rule as structured fields, so that
  // `tokenFile=/etc/x` keeps its path while `refresh_token=…` loses its value.
  [
    // A colon separates only when a space or quote follows, so `http://…` is not a key/value.
    // A key starts only at the first letter of a run of key characters: a match starting later
    // in the run would also match from that first letter, and trying every letter of a long run
    // (a 32,000-letter request path) would cost time quadratic in its length. The letter is
    // checked before the look-behind, so that the look-behind scans each run once.
    /(["']?)(?=[A-Za-z])(?<![A-Za-z][A-Za-z0-9_-]*?)([A-Za-z][A-Za-z0-9_-]*)\1(\s*=\s*|\s*:\s+|\s*:(?=["']))("[^"]*"|'[^']*'|[^"'&\s,;}]+)/g,
    (match, q1, key, sep, value) => {
      if (!isSecretKey(key)) return match;
      const q2 = value.startsWith('"') || value.startsWith("'") ? value[0] : '';
      return `${q1}${key}${q1}${sep}${q2}${REDACTED}${q2}`;
    },
  ],
  // Credentials in a URL: scheme://user:password@host. A scheme starts at the first letter of a
  // run of scheme characters only, for the same reason as keys above (`a.a.a.a…`).
  [/\b(?=[a-z])(?<![a-z][a-z0-9+.-]*?)([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+):[^\s/@]+@/gi, `$1:${REDACTED}@`],
  // JWTs (access, refresh, id tokens) and personal login tokens: both are base64url JSON, so
  // they start with `eyJ` (`{"`). A login token has no dots; a JWT has two.
  [/eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g, REDACTED],
  // scrypt password hashes as the config stores them (`scrypt$…`): not a password, but an
  // offline-crackable stand-in for one.
  [/\bscrypt\$[A-Za-z0-9$+/=._:-]+/g, REDACTED],
];

export function redactString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of VALUE_RULES) {
    out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  }
  return out;
}

/**
 * A deep copy of `value` with every secret replaced. Handles Errors (message, stack, cause
 * and own fields), Headers-like objects, Maps, Buffers and cycles; never throws.
 */
export function redact(value: unknown): unknown {
  return walk(value, new WeakSet(), 0);
}

function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'function' || typeof value === 'symbol') return String(value);
    return value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth > 12) return '[Deep]';
  seen.add(value);
  try {
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof URL) return redactString(redactUrl(value));
    if (value instanceof Error) return walkError(value, seen, depth);
    if (Array.isArray(value)) return value.map((v) => walk(v, seen, depth + 1));
    if (value instanceof Map) return walkEntries([...value.entries()].map(([k, v]) => [String(k), v]), seen, depth);
    // A WHATWG Headers (fetch) or anything else iterable over [name, value] pairs.
    if (typeof (value as { entries?: unknown }).entries === 'function' && !(value instanceof Set)) {
      const entries = [...(value as { entries(): Iterable<[unknown, unknown]> }).entries()];
      if (entries.every((e) => Array.isArray(e) && e.length === 2)) {
        return walkEntries(entries.map(([k, v]) => [String(k), v]), seen, depth);
      }
    }
    if (value instanceof Set) return [...value].map((v) => walk(v, seen, depth + 1));
    return walkEntries(Object.entries(value), seen, depth);
  } catch {
    return '[Unserialisable]';
  } finally {
    seen.delete(value);
  }
}

function walkEntries(entries: Array<[string, unknown]>, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    out[key] = isSecretKey(key) && v !== undefined && v !== null && v !== '' ? REDACTED : walk(v, seen, depth + 1);
  }
  return out;
}

function walkError(error: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: redactString(error.message) };
  if (error.stack) out.stack = redactString(error.stack);
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = walk(code, seen, depth + 1);
  if (error.cause !== undefined) out.cause = walk(error.cause, seen, depth + 1);
  for (const [key, v] of Object.entries(error)) {
    if (key in out) continue;
    out[key] = isSecretKey(key) ? REDACTED : walk(v, seen, depth + 1);
  }
  return out;
}

function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = REDACTED;
  for (const key of [...copy.searchParams.keys()]) {
    if (isSecretKey(key)) copy.searchParams.set(key, REDACTED);
  }
  return copy.href;
}
