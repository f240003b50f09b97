/**
 * Client names as bytes and as href segments. A WebDAV client may send a name that is not valid
 * UTF-8; it travels through jottadav as a JS string with "surrogate escapes" (PEP 383): byte 0xHH
 * of an invalid sequence is the lone surrogate U+DC00+0xHH. That keeps every client name
 * representable and reversible (no valid name holds a lone surrogate), and lib/dav turns such a
 * code unit back into the raw byte `%HH` in an href. How a name is stored on the service is
 * name-codec.ts's business.
 */

/**
 * Bytes → client string: valid UTF-8 decodes normally; each byte of an invalid sequence becomes
 * the lone surrogate U+DC00+byte (PEP 383 "surrogateescape").
 */
export function bytesToClientName(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const [cp, width] = decodeRune(bytes, i);
    if (cp < 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]!);
      i += 1;
    } else {
      out += String.fromCodePoint(cp);
      i += width;
    }
  }
  return out;
}

/** Client string → bytes: the inverse of bytesToClientName (other lone surrogates as WTF-8). */
export function clientNameToBytes(name: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit >= 0xdc80 && unit <= 0xdcff && !isHighSurrogate(name.charCodeAt(i - 1))) {
      bytes.push(unit - 0xdc00);
      continue;
    }
    const cp = name.codePointAt(i)!;
    if (cp > 0xffff) i += 1;
    pushUtf8(bytes, cp);
  }
  return Buffer.from(bytes);
}

/** true when a client name holds bytes that are not valid UTF-8 (surrogate escapes). */
export function hasInvalidUtf8(name: string): boolean {
  return /(?:^|[^\ud800-\udbff])[\udc80-\udcff]/.test(name);
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function pushUtf8(out: number[], cp: number): void {
  // Lone surrogates other than escapes are written as WTF-8 so they stay invalid (and quoted).
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/**
 * One UTF-8 code point at `at`, as Go's utf8.DecodeRune sees it: [cp, width], or [-1, 1] for an
 * invalid byte (overlong forms, surrogates and code points above U+10FFFF are invalid).
 */
export function decodeRune(b: Uint8Array, at: number): [number, number] {
  const b0 = b[at]!;
  if (b0 < 0x80) return [b0, 1];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const x = b[at + k];
    return x !== undefined && x >= lo && x <= hi ? x & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? [-1, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    return c2 < 0 ? [-1, 1] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 < 0 ? -1 : cont(2);
    const c3 = c2 < 0 ? -1 : cont(3);
    return c3 < 0 ? [-1, 1] : [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [-1, 1];
}

export function hex2(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

// Left as they are by encodeURIComponent, so hrefs stay byte-identical for valid names.
const HREF_UNRESERVED = /[A-Za-z0-9\-_.!~*'()]/;

/**
 * A client name as an href path segment. For valid names this equals encodeURIComponent; a name
 * holding invalid UTF-8 (surrogate escapes) gets its raw bytes back as `%HH`, where
 * encodeURIComponent would throw.
 */
export function encodeHrefSegment(name: string): string {
  if (!hasInvalidUtf8(name) && !/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
    return encodeURIComponent(name);
  }
  let out = '';
  for (const byte of clientNameToBytes(name)) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && HREF_UNRESERVED.test(ch) ? ch : `%${hex2(byte)}`;
  }
  return out;
}

/**
 * An href path segment as a client name: like decodeURIComponent, but bytes that are not valid
 * UTF-8 become surrogate escapes (so they reach the Vfs and back unchanged) instead of an error.
 * Throws URIError for a malformed escape (`%G1`, a lone `%`).
 */
export function decodeHrefSegment(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '%') {
      const pair = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) throw new URIError(`malformed escape in ${JSON.stringify(raw)}`);
      bytes.push(parseInt(pair, 16));
      i += 2;
    } else {
      const cp = raw.codePointAt(i)!;
      if (cp > 0xffff) i += 1;
      pushUtf8(bytes, cp);
    }
  }
  return bytesToClientName(Buffer.from(bytes));
}
