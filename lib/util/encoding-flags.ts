/**
 * The vocabulary of rclone's `encoding` option: a comma list of flag names such as
 * `Slash,LtGt,Dot`, each naming a set of characters that is stored as a look-alike. lib/config
 * checks a configured list against it and lib/vfs (name-codec.ts) builds the name mapping from
 * it, so both read the same names. The list order is rclone's bit order: the numeric form of the
 * option (`0x2` for Slash) counts bits in this order, starting at Raw = 1.
 */

export const ENCODING_FLAGS = [
  'Raw',
  'Slash',
  'LtGt',
  'DoubleQuote',
  'SingleQuote',
  'BackQuote',
  'Dollar',
  'Colon',
  'Question',
  'Asterisk',
  'Pipe',
  'Hash',
  'Percent',
  'BackSlash',
  'CrLf',
  'Del',
  'Ctl',
  'LeftSpace',
  'LeftPeriod',
  'LeftTilde',
  'LeftCrLfHtVt',
  'RightSpace',
  'RightPeriod',
  'RightCrLfHtVt',
  'InvalidUtf8',
  'Dot',
  'SquareBracket',
  'Semicolon',
  'Exclamation',
] as const;

export type EncodingFlag = (typeof ENCODING_FLAGS)[number];

/** `None` sets no flag (NUL is still stored as ␀); every other word is a flag of ENCODING_FLAGS. */
export const ENCODING_WORDS: readonly string[] = ['None', ...ENCODING_FLAGS];

/**
 * What rclone's jottacloud backend uses unless told otherwise: Windows' reserved characters,
 * `/`, `%` (the service refuses a decoded `%`), controls, DEL, invalid UTF-8 and the names
 * `.`/`..`. Older rclone releases lacked Percent.
 */
export const JOTTACLOUD_DEFAULT_ENCODING = 'Slash,LtGt,DoubleQuote,Colon,Question,Asterisk,Pipe,Percent,Del,Ctl,InvalidUtf8,Dot';

export type ParsedEncoding = { ok: true; flags: ReadonlySet<EncodingFlag> } | { ok: false; unknown: string[] };

/**
 * Reads an encoding list the way rclone does: words separated by commas (spaces around them
 * ignored), `None` for no flag, or a number (decimal or 0x hex) whose bits count in
 * ENCODING_FLAGS order. Words are matched exactly, as rclone matches them. An empty list is
 * refused (rclone refuses it too); bits beyond the known flags are refused rather than ignored.
 */
export function parseEncoding(text: string): ParsedEncoding {
  const flags = new Set<EncodingFlag>();
  const unknown: string[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === 'None') continue;
    if ((ENCODING_FLAGS as readonly string[]).includes(part)) {
      flags.add(part as EncodingFlag);
      continue;
    }
    const bits = /^(?:0x[0-9a-f]+|\d+)$/i.test(part) ? BigInt(part) : undefined;
    if (bits === undefined || bits >> BigInt(ENCODING_FLAGS.length) !== 0n) {
      unknown.push(part);
      continue;
    }
    ENCODING_FLAGS.forEach((flag, bit) => {
      if ((bits >> BigInt(bit)) & 1n) flags.add(flag);
    });
  }
  return unknown.length > 0 ? { ok: false, unknown } : { ok: true, flags };
}
