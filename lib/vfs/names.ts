/**
 * Client names ⇄ Jottacloud names, byte-compatible with rclone's current jottacloud encoding
 * (`Slash,LtGt,DoubleQuote,Colon,Question,Asterisk,Pipe,Percent,Del,Ctl,InvalidUtf8,Dot`), so a
 * file written by rclone and one written through jottadav show the same name in both tools.
 *
 * Rules (jottacloud-api.md §4.2): the reserved ASCII characters become their fullwidth look-alikes
 * (+0xFEE0), NUL/controls become U+2400+c, DEL becomes U+2421, invalid UTF-8 bytes become
 * `‛HH`, and the whole names `.`/`..` become `．`/`．．`. A name that already holds one of the
 * replacement characters (or the quote `‛` itself) gets that character prefixed by `‛`.
 *
 * Invalid UTF-8 reaches a client as a JS string through "surrogate escapes" (PEP 383): byte 0xHH
 * of an invalid sequence is the lone surrogate U+DC00+0xHH. That keeps the mapping injective and
 * reversible — no valid client name contains a lone surrogate — and lib/dav turns such a code
 * unit back into the raw byte `%HH` in an href (clientNameToBytes / bytesToClientName).
 */

export const QUOTE = 0x201b; // ‛ SINGLE HIGH-REVERSED-9 QUOTATION MARK
const SYMBOL_NUL = 0x2400; // ␀
const SYMBOL_DEL = 0x2421; // ␡
const FULL_OFFSET = 0xfee0;
const FULLWIDTH_DOT = '\uff0e'; // ．
const Q = String.fromCharCode(QUOTE);

/** ASCII characters replaced by their fullwidth form (the Percent rule included). */
const FULLWIDTH_ASCII = new Set(['/', '"', '*', ':', '<', '>', '?', '|', '%'].map((c) => c.charCodeAt(0)));
const FULLWIDTH_FORMS = new Set([...FULLWIDTH_ASCII].map((c) => c + FULL_OFFSET));

/** Code points that only the encoder produces; when a name holds them literally they are quoted. */
function isReplacement(cp: number): boolean {
  return cp === QUOTE || cp === SYMBOL_DEL || (cp >= SYMBOL_NUL && cp <= SYMBOL_NUL + 0x1f) || FULLWIDTH_FORMS.has(cp);
}

/** The original of an unquoted replacement character, or undefined. */
function originalOf(cp: number): number | undefined {
  if (cp >= SYMBOL_NUL && cp <= SYMBOL_NUL + 0x1f) return cp - SYMBOL_NUL;
  if (cp === SYMBOL_DEL) return 0x7f;
  if (FULLWIDTH_FORMS.has(cp)) return cp - FULL_OFFSET;
  return undefined;
}

// Characters that make a name need more than the identity mapping, either way: the reserved ASCII
// set, controls, DEL, the replacement characters and the quote, the fullwidth dot, and surrogates
// (lone ones stand for invalid UTF-8). Most names hold none, and listings of 10,000 names are common.
const NEEDS_ENCODING = /[\u0000-\u001f\u007f"*:<>?|%/\u2400-\u241f\u2421\u201b\uff02\uff05\uff0a\uff0f\uff1a\uff1c\uff1e\uff1f\uff5c\uff0e\ud800-\udfff]/;
const NEEDS_DECODING = /[\u2400-\u241f\u2421\u201b\uff02\uff05\uff0a\uff0f\uff1a\uff1c\uff1e\uff1f\uff5c\uff0e]/;

/** Encodes a client name given as a JS string (see the module comment for lone surrogates). */
export function encodeName(name: string): string {
  if (!NEEDS_ENCODING.test(name) && name !== '.' && name !== '..') return name;
  return encodeNameBytes(clientNameToBytes(name));
}

/** Encodes a client name given as raw bytes (invalid UTF-8 allowed). */
export function encodeNameBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // Whole-name dot rule, checked on the exact bytes.
  if (whole === '.') return FULLWIDTH_DOT;
  if (whole === '..') return FULLWIDTH_DOT + FULLWIDTH_DOT;
  if (whole === '\xef\xbc\x8e') return Q + FULLWIDTH_DOT;
  if (whole === '\xef\xbc\x8e\xef\xbc\x8e') return Q + FULLWIDTH_DOT + Q + FULLWIDTH_DOT;

  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const [cp, width] = decodeRune(bytes, i);
    if (cp < 0) {
      // Invalid UTF-8: one `‛HH` per byte, uppercase hex (rclone's appendQuotedBytes).
      out += Q + hex2(bytes[i]!);
      i += 1;
      continue;
    }
    i += width;
    if (cp <= 0x1f) out += String.fromCodePoint(SYMBOL_NUL + cp);
    else if (cp === 0x7f) out += String.fromCodePoint(SYMBOL_DEL);
    else if (FULLWIDTH_ASCII.has(cp)) out += String.fromCodePoint(cp + FULL_OFFSET);
    else if (isReplacement(cp)) out += Q + String.fromCodePoint(cp);
    else out += String.fromCodePoint(cp);
  }
  return out;
}

/** Decodes a remote name to the client's bytes (exact inverse of encodeNameBytes). */
export function decodeNameBytes(remote: string): Buffer {
  switch (remote) {
    case FULLWIDTH_DOT:
      return Buffer.from('.');
    case FULLWIDTH_DOT + FULLWIDTH_DOT:
      return Buffer.from('..');
    case Q + FULLWIDTH_DOT:
      return Buffer.from(FULLWIDTH_DOT);
    case Q + FULLWIDTH_DOT + Q + FULLWIDTH_DOT:
      return Buffer.from(FULLWIDTH_DOT + FULLWIDTH_DOT);
  }
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s, 'utf8'));
  const cps = [...remote].map((c) => c.codePointAt(0)!);
  let quoted = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    const unquote = quoted;
    quoted = false;
    if (cp === QUOTE) {
      if (unquote) text(Q);
      else quoted = true;
      continue;
    }
    const original = originalOf(cp);
    if (original !== undefined) {
      text(String.fromCodePoint(unquote ? cp : original));
      continue;
    }
    if (unquote) {
      // `‛HH` is a raw byte (rclone parses two hex digits of either case); any other `‛x` is literal.
      const next = cps[i + 1];
      if (isHex(cp) && next !== undefined && isHex(next)) {
        parts.push(Buffer.from([parseInt(String.fromCharCode(cp, next), 16)]));
        i += 1;
        continue;
      }
      text(Q);
    }
    text(String.fromCodePoint(cp));
  }
  if (quoted) text(Q); // a trailing lone quote stands for itself
  return Buffer.concat(parts);
}

/** Decodes a remote name to the client's name (lone surrogates for invalid UTF-8 bytes). */
export function decodeName(remote: string): string {
  if (!NEEDS_DECODING.test(remote)) return remote;
  return bytesToClientName(decodeNameBytes(remote));
}

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
function decodeRune(b: Uint8Array, at: number): [number, number] {
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

function isHex(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x46) || (cp >= 0x61 && cp <= 0x66);
}

function hex2(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** Encodes every segment of a client path ('/' stays the separator). */
export function encodePath(clientPath: string): string {
  if (clientPath === '/' || clientPath === '') return '/';
  return '/' + clientPath.split('/').filter((s) => s.length > 0).map(encodeName).join('/');
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
