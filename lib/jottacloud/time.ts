/**
 * The two timestamp formats of the wire (docs/jottacloud-protocol.md "Time formats").
 *
 * JottaTime: `2024-03-07-T09:15:42Z` or `2024-03-07-T10:15:42+0100` — note the `-` before `T`
 * and the colon-less offset. Used in all JFS XML and in the cphash JCreated/JModified headers.
 * RFC 3339: `2024-03-07T09:15:42Z`, liststream adds `.000`. Used by allocate.
 * The service keeps whole seconds.
 */

const JOTTA_TIME = /^(\d{4})-(\d{2})-(\d{2})-?T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses JottaTime (also tolerating RFC 3339). Empty or missing → undefined; garbage → undefined. */
export function parseJottaTime(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const m = JOTTA_TIME.exec(trimmed);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m as unknown as string[];
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (frac) ms += Math.floor(Number(`0.${frac}`) * 1000);
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const digits = zone!.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The same parser: RFC 3339 and JottaTime differ only in the `-` before `T`. */
export const parseRfc3339 = parseJottaTime;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2024-03-07-T09:15:42Z` (UTC, whole seconds). */
export function formatJottaTime(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `-T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`
  );
}

/** `2024-03-07T09:15:42Z` (UTC, whole seconds, as rclone sends to allocate). */
export function formatRfc3339(date: Date): string {
  return formatJottaTime(date).replace('-T', 'T');
}

/** Truncates to whole seconds, the service's precision. */
export function toWholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
