import type { ByteRange } from '../vfs/index.js';

/**
 * The `Range` header of a GET (RFC 9110 §14): which bytes of a representation of `size` bytes
 * to send. The rules we chose where the RFC leaves room:
 * - A header we cannot parse (another unit, bad syntax, `end < start`) is ignored: 200 with the
 *   whole body, as RFC 9110 allows for any Range a server does not understand.
 * - Ranges that start past the end are dropped; if none is left the answer is 416.
 * - Overlapping or touching ranges are merged into one (RFC 9110 §14.6 lets a server coalesce
 *   them), so no byte is sent twice and a request that repeats one range cannot multiply the
 *   transfer. After merging, the parts keep the order the client asked for them in.
 * - More than MAX_RANGES parts after merging: the header is ignored and the whole body is sent
 *   (200), as Apache does past its MaxRanges. Many tiny parts cost one upstream request each.
 */

/** The most parts a multipart/byteranges answer may have. */
export const MAX_RANGES = 16;

export type RangeRequest =
  /** No usable Range header: send the whole body (200). */
  | { kind: 'whole' }
  /** Nothing satisfiable: 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' }
  /** One part (206 with Content-Range) or several (206 multipart/byteranges). */
  | { kind: 'ranges'; ranges: Required<ByteRange>[] };

const WHOLE: RangeRequest = { kind: 'whole' };

export function parseRanges(value: string | undefined, size: number): RangeRequest {
  if (value === undefined) return WHOLE;
  const m = /^\s*bytes\s*=(.*)$/i.exec(value);
  if (!m) return WHOLE;
  const specs = m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0) return WHOLE;
  const satisfiable: Required<ByteRange>[] = [];
  for (const spec of specs) {
    const parts = /^(\d*)\s*-\s*(\d*)$/.exec(spec);
    if (!parts || (parts[1] === '' && parts[2] === '')) return WHOLE;
    const range = toRange(parts[1]!, parts[2]!, size);
    if (range === 'invalid') return WHOLE;
    if (range) satisfiable.push(range);
  }
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  const ranges = coalesce(satisfiable);
  return ranges.length > MAX_RANGES ? WHOLE : { kind: 'ranges', ranges };
}

/** One range-spec: the bytes it selects, undefined when none of them exist, 'invalid' for `9-3`. */
function toRange(first: string, last: string, size: number): Required<ByteRange> | undefined | 'invalid' {
  if (first === '') {
    // A suffix: the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return 'invalid';
  if (start >= size) return undefined;
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** Merges overlapping and adjacent ranges; the survivors stay in the order they were asked for. */
function coalesce(ranges: Required<ByteRange>[]): Required<ByteRange>[] {
  if (ranges.length === 1) return ranges;
  const order = ranges.map((r, i) => ({ ...r, first: i })).sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: { start: number; end: number; first: number }[] = [];
  for (const r of order) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end + 1) {
      last.end = Math.max(last.end, r.end);
      last.first = Math.min(last.first, r.first);
    } else merged.push({ ...r });
  }
  return merged.sort((a, b) => a.first - b.first).map(({ start, end }) => ({ start, end }));
}
