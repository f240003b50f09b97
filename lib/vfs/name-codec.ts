/**
 * Client names ⇄ stored names, driven by an rclone `encoding` flag set (lib/util/encoding-flags.ts),
 * so that a file written by rclone with the same list and one written through jottadav carry the
 * same stored name, and each tool shows the other's files under the same names.
 *
 * The mapping, as rclone's jottacloud backend stores names:
 * - characters a flag covers become look-alikes anywhere in a name: printable ASCII its fullwidth
 *   form (U+FF01..U+FF5E, the character + 0xFEE0), controls and DEL the Unicode "symbol for" form
 *   (U+2400 + the code, ␡ for DEL); NUL always becomes ␀ unless the set is exactly `Raw`;
 * - the Left…/Right… flags replace one character at the start or end only (space → ␠, `.` → ．,
 *   `~` → ～, CR LF HT VT → their symbols); `Dot` replaces the whole names `.` and `..`;
 * - a name that already holds a look-alike the set produces (or the quote `‛` itself, or ␀) keeps
 *   it, marked by a `‛` in front, so no two names collide;
 * - with `InvalidUtf8`, each byte of an invalid UTF-8 sequence becomes `‛HH` (upper-case hex).
 *
 * Invalid UTF-8 reaches us as surrogate escapes (names.ts): byte 0xHH is the lone surrogate
 * U+DC00+0xHH. A name the set cannot store (invalid bytes without `InvalidUtf8`, a `/` without
 * `Slash`) is refused with INVALID_NAME instead of being sent half-mapped.
 *
 * One deliberate difference from rclone's decoder: for a trailing look-alike of a Right… flag,
 * rclone looks at one character before it to tell a marked look-alike from a replaced character;
 * here the whole run of `‛` before it counts (a `‛‛` pair is a literal quote), so every stored
 * name this codec writes reads back as the name that was written. The names differ only when a
 * name ends in `‛` followed by the replaced character (`a‛ ` with RightSpace).
 */
import { StorageError } from '../storage/errors.js';
import { ENCODING_FLAGS, parseEncoding, type EncodingFlag } from '../util/encoding-flags.js';
import { bytesToClientName, clientNameToBytes, decodeRune, hasInvalidUtf8, hex2 } from './names.js';

export const QUOTE = 0x201b; // ‛ SINGLE HIGH-REVERSED-9 QUOTATION MARK
const Q = String.fromCharCode(QUOTE);
const SYMBOL_NUL = 0x2400; // ␀; U+2400 + c is the "symbol for" control c
const SYMBOL_DEL = 0x2421; // ␡
const FULLWIDTH_OFFSET = 0xfee0;
const FULLWIDTH_DOT = '\uff0e'; // ．

type Pairs = ReadonlyArray<readonly [raw: number, stored: number]>;

const fullwidth = (chars: string): Pairs => [...chars].map((c) => [c.charCodeAt(0), c.charCodeAt(0) + FULLWIDTH_OFFSET] as const);
const symbols = (codes: number[]): Pairs => codes.map((c) => [c, SYMBOL_NUL + c] as const);
const CTL = Array.from({ length: 0x1f }, (_, i) => i + 1);
const CR_LF_HT_VT = [0x09, 0x0a, 0x0b, 0x0d];

/** Characters replaced wherever they stand in a name. */
const ANYWHERE: Partial<Record<EncodingFlag, Pairs>> = {
  Slash: fullwidth('/'),
  LtGt: fullwidth('<>'),
  DoubleQuote: fullwidth('"'),
  SingleQuote: fullwidth("'"),
  BackQuote: fullwidth('`'),
  Dollar: fullwidth('$'),
  Colon: fullwidth(':'),
  Question: fullwidth('?'),
  Asterisk: fullwidth('*'),
  Pipe: fullwidth('|'),
  Hash: fullwidth('#'),
  Percent: fullwidth('%'),
  BackSlash: fullwidth('\\'),
  SquareBracket: fullwidth('[]'),
  Semicolon: fullwidth(';'),
  Exclamation: fullwidth('!'),
  CrLf: symbols([0x0d, 0x0a]),
  Ctl: symbols(CTL),
  Del: [[0x7f, SYMBOL_DEL]],
};

/** Characters replaced only as the first character of a name. */
const AT_START: Partial<Record<EncodingFlag, Pairs>> = {
  LeftSpace: [[0x20, 0x2420]],
  LeftPeriod: [[0x2e, 0xff0e]],
  LeftTilde: [[0x7e, 0xff5e]],
  LeftCrLfHtVt: symbols(CR_LF_HT_VT),
};

/** Characters replaced only as the last character of a name. */
const AT_END: Partial<Record<EncodingFlag, Pairs>> = {
  RightSpace: [[0x20, 0x2420]],
  RightPeriod: [[0x2e, 0xff0e]],
  RightCrLfHtVt: symbols(CR_LF_HT_VT),
};

/** A replacement table both ways. */
class Mapping {
  readonly forward = new Map<number, number>();
  readonly back = new Map<number, number>();
  constructor(flags: ReadonlySet<EncodingFlag>, table: Partial<Record<EncodingFlag, Pairs>>, always: Pairs = []) {
    const pairs = [...always, ...[...flags].flatMap((flag) => table[flag] ?? [])];
    for (const [raw, stored] of pairs) {
      this.forward.set(raw, stored);
      this.back.set(stored, raw);
    }
  }
}

/** A regex character class of these BMP code points (runs as ranges), plus extra class text. */
function classOf(codes: Iterable<number>, extra = ''): RegExp {
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  let body = '';
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    body += j > i ? `${hex(sorted[i]!)}-${hex(sorted[j]!)}` : hex(sorted[i]!);
    i = j + 1;
  }
  return new RegExp(`[${body}${extra}]`);
}

const isHex = (cp: number | undefined): boolean => cp !== undefined && ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x46) || (cp >= 0x61 && cp <= 0x66));
const charOf = (cp: number): string => String.fromCodePoint(cp);

export class NameCodec {
  /** The set is exactly `Raw`: names are stored as they are. */
  readonly raw: boolean;
  private readonly anywhere: Mapping;
  private readonly start: Mapping;
  private readonly end: Mapping;
  /** Look-alikes that get a `‛` when a name holds them literally (and `‛` itself). */
  private readonly marked: Set<number>;
  private readonly dot: boolean;
  private readonly invalidUtf8: boolean;
  private readonly slash: boolean;
  // Most names hold nothing to map and return at once; the tests below decide that.
  private readonly mayNeedEncoding: RegExp;
  private readonly mayNeedDecoding: RegExp;
  private readonly edgeChars: { start: ReadonlySet<number>; end: ReadonlySet<number> };
  private readonly hasEdges: boolean;

  constructor(readonly flags: ReadonlySet<EncodingFlag>) {
    this.raw = flags.size === 1 && flags.has('Raw');
    this.anywhere = new Mapping(flags, ANYWHERE, [[0x00, SYMBOL_NUL]]);
    this.start = new Mapping(flags, AT_START);
    this.end = new Mapping(flags, AT_END);
    this.marked = new Set([QUOTE, ...this.anywhere.back.keys()]);
    this.dot = flags.has('Dot');
    this.invalidUtf8 = flags.has('InvalidUtf8');
    this.slash = flags.has('Slash');
    // Surrogates: escapes for invalid bytes; `/` is refused when Slash is off.
    this.mayNeedEncoding = classOf([...this.anywhere.forward.keys(), ...this.marked, 0x2f], '\\ud800-\\udfff');
    this.mayNeedDecoding = classOf(this.marked);
    this.edgeChars = {
      start: new Set([...this.start.forward.keys(), ...this.start.back.keys()]),
      end: new Set([...this.end.forward.keys(), ...this.end.back.keys()]),
    };
    this.hasEdges = this.edgeChars.start.size + this.edgeChars.end.size > 0;
  }

  /** The codec of an encoding list (lib/config has checked it: an unknown flag is a wiring bug). */
  static of(encoding: string): NameCodec {
    const parsed = parseEncoding(encoding);
    if (!parsed.ok) throw new StorageError('INVALID_ARGUMENT', `unknown names.encoding flag(s): ${parsed.unknown.join(', ')}`);
    return new NameCodec(parsed.flags);
  }

  /** The canonical list, in rclone's order (`None` for the empty set). */
  toString(): string {
    return ENCODING_FLAGS.filter((f) => this.flags.has(f)).join(',') || 'None';
  }

  /** Client name → stored name. INVALID_NAME when the set cannot store it. */
  encode(name: string): string {
    if (this.raw) return this.refuseUnstorable(name);
    if (name === '') return '';
    if (!this.mayNeedEncoding.test(name) && !this.edgeMayChange(name) && !this.isDotName(name)) return name;
    if (this.dot) {
      if (name === '.') return FULLWIDTH_DOT;
      if (name === '..') return FULLWIDTH_DOT + FULLWIDTH_DOT;
      if (name === FULLWIDTH_DOT) return Q + FULLWIDTH_DOT;
      if (name === FULLWIDTH_DOT + FULLWIDTH_DOT) return Q + FULLWIDTH_DOT + Q + FULLWIDTH_DOT;
    }
    // Code points, with -1 - byte for each byte of an invalid UTF-8 sequence.
    const units = LONE_SURROGATE.test(name) ? runesOf(clientNameToBytes(name)) : codePointsOf(name);
    let first = 0;
    let last = units.length;
    let prefix = '';
    let suffix = '';
    const head = units[0]!;
    if (this.start.forward.has(head)) [prefix, first] = [charOf(this.start.forward.get(head)!), 1];
    else if (this.start.back.has(head)) [prefix, first] = [Q + charOf(head), 1];
    if (last > first) {
      const tail = units[last - 1]!;
      if (this.end.forward.has(tail)) [suffix, last] = [charOf(this.end.forward.get(tail)!), last - 1];
      else if (this.end.back.has(tail)) [suffix, last] = [Q + charOf(tail), last - 1];
    }
    let out = prefix;
    for (let i = first; i < last; i++) {
      const unit = units[i]!;
      if (unit < 0) {
        if (!this.invalidUtf8) throw new StorageError('INVALID_NAME', 'the name is not valid UTF-8 and names.encoding lacks InvalidUtf8');
        out += Q + hex2(-1 - unit);
      } else if (this.anywhere.forward.has(unit)) out += charOf(this.anywhere.forward.get(unit)!);
      else if (this.marked.has(unit)) out += Q + charOf(unit);
      else if (unit === 0x2f) throw new StorageError('INVALID_NAME', "the name holds '/' and names.encoding lacks Slash");
      else out += charOf(unit);
    }
    return out + suffix;
  }

  /**
   * The stored path of a client path's segments, as the vfs stores the names it writes: each in
   * NFC, then encoded. For a tool outside the vfs that must name what the server stored (the
   * link command); the vfs itself resolves paths, finding also names it did not write (another
   * case, NFD).
   */
  storedPath(segments: readonly string[]): string {
    return `/${segments.map((s) => this.encode(s.normalize('NFC'))).join('/')}`;
  }

  /** Stored name → client name (invalid bytes as surrogate escapes). */
  decode(stored: string): string {
    if (this.raw || stored === '') return stored;
    if (!this.mayNeedDecoding.test(stored) && !this.edgeMayChange(stored) && !this.isDotName(stored)) return stored;
    if (this.dot) {
      if (stored === FULLWIDTH_DOT) return '.';
      if (stored === FULLWIDTH_DOT + FULLWIDTH_DOT) return '..';
      if (stored === Q + FULLWIDTH_DOT) return FULLWIDTH_DOT;
      if (stored === Q + FULLWIDTH_DOT + Q + FULLWIDTH_DOT) return FULLWIDTH_DOT + FULLWIDTH_DOT;
    }
    const cps = [...stored].map((c) => c.codePointAt(0)!);
    let first = 0;
    let last = cps.length;
    let prefix = '';
    let suffix = '';
    if (this.start.back.has(cps[0]!)) [prefix, first] = [charOf(this.start.back.get(cps[0]!)!), 1];
    else if (cps[0] === QUOTE && this.start.back.has(cps[1]!)) [prefix, first] = [charOf(cps[1]!), 2];
    if (last > first && this.end.back.has(cps[last - 1]!)) {
      const tail = cps[last - 1]!;
      let quotes = 0;
      while (last - 2 - quotes >= first && cps[last - 2 - quotes] === QUOTE) quotes++;
      // An odd run of quotes ends in the one that marks a literal look-alike.
      if (quotes % 2 === 1) [suffix, last] = [charOf(tail), last - 2];
      else [suffix, last] = [charOf(this.end.back.get(tail)!), last - 1];
    }
    let out = prefix;
    let bytes = false;
    let quoted = false;
    for (let i = first; i < last; i++) {
      const cp = cps[i]!;
      if (quoted) {
        quoted = false;
        if (this.marked.has(cp)) {
          out += charOf(cp);
          continue;
        }
        if (this.invalidUtf8 && isHex(cp) && i + 1 < last && isHex(cps[i + 1])) {
          const byte = parseInt(String.fromCharCode(cp, cps[i + 1]!), 16);
          out += byte < 0x80 ? String.fromCharCode(byte) : String.fromCharCode(0xdc00 + byte);
          bytes ||= byte >= 0x80;
          i += 1;
          continue;
        }
        out += Q + charOf(cp);
        continue;
      }
      if (cp === QUOTE) quoted = true;
      else out += charOf(this.anywhere.back.get(cp) ?? cp);
    }
    if (quoted) out += Q; // a trailing lone quote stands for itself
    out += suffix;
    // Bytes given as `‛HH` may form valid UTF-8 with their neighbours: read them as rclone does.
    return bytes ? bytesToClientName(clientNameToBytes(out)) : out;
  }

  /** The first or last character is one an edge flag replaces or marks (either way round). */
  private edgeMayChange(name: string): boolean {
    return this.hasEdges && (this.edgeChars.start.has(name.charCodeAt(0)) || this.edgeChars.end.has(name.charCodeAt(name.length - 1)));
  }

  private isDotName(name: string): boolean {
    return this.dot && name.length <= 2 && (name === '.' || name === '..' || name === FULLWIDTH_DOT || name === FULLWIDTH_DOT + FULLWIDTH_DOT);
  }

  private refuseUnstorable(name: string): string {
    if (hasInvalidUtf8(name) || /[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
      throw new StorageError('INVALID_NAME', 'the name is not valid UTF-8 and names.encoding is Raw');
    }
    if (name.includes('/')) throw new StorageError('INVALID_NAME', "the name holds '/' and names.encoding is Raw");
    return name;
  }
}

// A surrogate escape (invalid UTF-8) or a stray surrogate: such a name is read as bytes, like rclone does.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function codePointsOf(name: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const cp = name.codePointAt(i)!;
    if (cp > 0xffff) i++;
    out.push(cp);
  }
  return out;
}

/** Code points of a byte string as Go reads it, -1 - byte for each byte of an invalid sequence. */
function runesOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const [cp, width] = decodeRune(bytes, i);
    out.push(cp < 0 ? -1 - bytes[i]! : cp);
    i += width;
  }
  return out;
}
