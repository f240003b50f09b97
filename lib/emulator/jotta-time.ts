/**
 * Time formats of the wire: JottaTime `2024-03-07-T09:15:42Z` in JFS XML and cphash headers,
 * RFC 3339 in allocate bodies and liststream, Unix milliseconds in the upload completion JSON.
 * The service keeps whole seconds, so everything stored here is truncated to a second.
 */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Whole seconds, as the service stores them. */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export function nowSeconds(): number {
  return toSeconds(Date.now());
}

/** `YYYY-MM-DD-Thh:mm:ssZ` (always UTC, as every observed server sample). */
export function formatJottaTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `-T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`
  );
}

/** RFC 3339 with milliseconds, as liststream emits it. */
export function formatRfc3339Millis(ms: number): string {
  return new Date(ms).toISOString();
}

const JOTTA = /^(\d{4})-(\d{2})-(\d{2})-T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{4})$/;
const RFC = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|z|[+-]\d{2}:?\d{2})$/;

function offsetMinutes(zone: string): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

function build(m: RegExpExecArray, zone: string): number | undefined {
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes(zone) * 60_000;
  return Number.isFinite(utc) ? toSeconds(utc) : undefined;
}

/**
 * Parses JottaTime, RFC 3339 (with or without fraction, offset with or without colon) or a number
 * of Unix milliseconds (akeamc/jotta sends those to allocate). Returns undefined when unparseable.
 */
export function parseWireTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? toSeconds(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  let m = JOTTA.exec(text);
  if (m) return build(m, m[7]!);
  m = RFC.exec(text);
  if (m) return build(m, m[8]!);
  if (/^-?\d+$/.test(text)) return toSeconds(Number(text));
  return undefined;
}
