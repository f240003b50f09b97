/**
 * What rclone stores for each flag of its `encoding` option, written out by hand from rclone's
 * documented table (the "Encoding option" section of its overview page: flag, characters,
 * "encoded as") and its quoting rule (a name that already holds a look-alike keeps it, marked by
 * `‛`). The specs compare our codec and the emulator's stored names with this data, never with
 * our own encoder.
 *
 * Two documented entries are vague, and the data follows what rclone's encoder does: LeftPeriod
 * and RightPeriod store `．` (FULLWIDTH FULL STOP), and InvalidUtf8 stores each invalid byte as
 * `‛HH` (upper-case hex), as the page's "Invalid UTF-8 bytes" section says.
 */

export interface EncodingCase {
  /** The client's name (invalid UTF-8 bytes as surrogate escapes U+DC80..U+DCFF). */
  name: string;
  /** What rclone stores with the flag set to exactly [flag]. */
  stored: string;
  /**
   * The name cannot travel in a WebDAV href: `.` and `..` are dot segments there, and lib/dav
   * refuses an encoded `/` or NUL inside a segment with a 400.
   */
  notInHref?: true;
}

const Q = '\u201b'; // ‛

/** Flags that store printable ASCII characters as their fullwidth look-alikes, as documented. */
const FULLWIDTH: Record<string, Array<[ascii: string, lookalike: string]>> = {
  Asterisk: [['*', '＊']],
  BackQuote: [['`', '｀']],
  BackSlash: [['\\', '＼']],
  Colon: [[':', '：']],
  Dollar: [['$', '＄']],
  DoubleQuote: [['"', '＂']],
  Exclamation: [['!', '！']],
  Hash: [['#', '＃']],
  LtGt: [['<', '＜'], ['>', '＞']],
  Percent: [['%', '％']],
  Pipe: [['|', '｜']],
  Question: [['?', '？']],
  Semicolon: [[';', '；']],
  SingleQuote: [["'", '＇']],
  Slash: [['/', '／']],
  SquareBracket: [['[', '［'], [']', '］']],
};

function fullwidthCases(pairs: Array<[string, string]>): EncodingCase[] {
  return pairs.flatMap(([ascii, lookalike]) => [
    { name: `a${ascii}b${ascii}`, stored: `a${lookalike}b${lookalike}`, ...(ascii === '/' ? { notInHref: true as const } : {}) },
    { name: `already ${lookalike}`, stored: `already ${Q}${lookalike}` },
  ]);
}

/** Every flag rclone documents (Raw and None included), with names and what rclone stores. */
export const RCLONE_ENCODING_TABLE: Record<string, EncodingCase[]> = {
  ...Object.fromEntries(Object.entries(FULLWIDTH).map(([flag, pairs]) => [flag, fullwidthCases(pairs)])),
  CrLf: [
    { name: 'cr\rlf\n', stored: 'cr␍lf␊' },
    { name: 'symbol ␍␊', stored: `symbol ${Q}␍${Q}␊` },
  ],
  Ctl: [
    { name: 'soh\u0001us\u001f', stored: 'soh␁us␟' },
    { name: 'tab\there', stored: 'tab␉here' },
    { name: 'symbol ␁␟', stored: `symbol ${Q}␁${Q}␟` },
  ],
  Del: [
    { name: 'del\u007f', stored: 'del␡' },
    { name: 'symbol ␡', stored: `symbol ${Q}␡` },
  ],
  Dot: [
    { name: '.', stored: '．', notInHref: true },
    { name: '..', stored: '．．', notInHref: true },
    { name: '．', stored: `${Q}．` },
    { name: '．．', stored: `${Q}．${Q}．` },
    { name: '...', stored: '...' },
    { name: '.hidden', stored: '.hidden' },
  ],
  InvalidUtf8: [
    { name: 'caf\udce9', stored: `caf${Q}E9` },
    { name: '\udcff\udc80x', stored: `${Q}FF${Q}80x` },
  ],
  LeftSpace: [
    { name: ' lead', stored: '␠lead' },
    { name: '␠lead', stored: `${Q}␠lead` },
    { name: 'mid dle ', stored: 'mid dle ' },
  ],
  LeftPeriod: [
    { name: '.lead', stored: '．lead' },
    { name: '．lead', stored: `${Q}．lead` },
    { name: 'end.', stored: 'end.' },
  ],
  LeftTilde: [
    { name: '~lead', stored: '～lead' },
    { name: '～lead', stored: `${Q}～lead` },
    { name: 'end~', stored: 'end~' },
  ],
  LeftCrLfHtVt: [
    { name: '\tlead', stored: '␉lead' },
    { name: '\nlead', stored: '␊lead' },
    { name: '\u000blead', stored: '␋lead' },
    { name: '\rlead', stored: '␍lead' },
    { name: '␉lead', stored: `${Q}␉lead` },
  ],
  RightSpace: [
    { name: 'trail ', stored: 'trail␠' },
    { name: 'trail␠', stored: `trail${Q}␠` },
    { name: ' lead', stored: ' lead' },
  ],
  RightPeriod: [
    { name: 'trail.', stored: 'trail．' },
    { name: 'trail．', stored: `trail${Q}．` },
    { name: '.lead', stored: '.lead' },
  ],
  RightCrLfHtVt: [
    { name: 'trail\t', stored: 'trail␉' },
    { name: 'trail\n', stored: 'trail␊' },
    { name: 'trail\u000b', stored: 'trail␋' },
    { name: 'trail\r', stored: 'trail␍' },
    { name: 'trail␍', stored: `trail${Q}␍` },
  ],
  // No flag: NUL still becomes ␀ (documented as implicit unless Raw), and ␀ and ‛ are marked.
  None: [
    { name: 'nul\u0000', stored: 'nul␀', notInHref: true },
    { name: 'symbol ␀', stored: `symbol ${Q}␀` },
    { name: `quote ${Q}`, stored: `quote ${Q}${Q}` },
    { name: 'hash # tilde ~ space ', stored: 'hash # tilde ~ space ' },
  ],
  // Raw: names are stored exactly as given.
  Raw: [
    { name: `quote ${Q} symbol ␀`, stored: `quote ${Q} symbol ␀` },
    { name: 'fullwidth ＊', stored: 'fullwidth ＊' },
  ],
};
