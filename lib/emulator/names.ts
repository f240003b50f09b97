/**
 * Names and paths as the service reads them (docs/jottacloud-protocol.md "Name encoding" and
 * "URL escaping"): URL path segments are percent-decoded with a literal `+` read as a space, names
 * compare case-insensitively, and a name is refused when it is too long, holds a reserved
 * character, or holds `%`.
 */

/** Case folding for lookups. Unconfirmed whether the server folds past ASCII; toLowerCase does. */
export function fold(name: string): string {
  return name.toLowerCase();
}

/** Why a name is refused; each kind has its own answer on the wire. */
export type NameProblem = 'percent' | 'too-long' | 'reserved' | 'empty';

export const MAX_NAME_UNITS = 255;

// Raw characters rclone maps to look-alikes because the server cannot store them; the exact
// server reaction is unconfirmed, the emulator refuses them so client encoding bugs surface.
// A backslash is not among them: rclone sends it raw, so the server must take it.
const RESERVED = /[\u0000-\u001f\u007f"*:<>?|/]/;

/** Checks one decoded name; undefined when acceptable. */
export function nameProblem(name: string): NameProblem | undefined {
  if (name.length === 0) return 'empty';
  // Vendor quirk (reported in 2026): a decoded `%` gets a bare, non-XML "400 Bad request".
  if (name.includes('%')) return 'percent';
  // Java counts UTF-16 code units, the same as JS string length.
  if (name.length > MAX_NAME_UNITS) return 'too-long';
  if (name === '.' || name === '..' || RESERVED.test(name)) return 'reserved';
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) return 'reserved';
  return undefined;
}

export class BadPathEncoding extends Error {}

/**
 * Decodes one raw URL path segment. Vendor quirk: a literal `+` in the path is a space,
 * which is why clients must send `%2B`. Throws BadPathEncoding on malformed escapes or bytes
 * that are not UTF-8.
 */
export function decodeSegment(raw: string): string {
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new BadPathEncoding(`malformed percent-encoding in '${raw}'`);
  }
}

/** Splits a raw URL path into decoded segments, dropping empty ones (trailing or doubled slashes). */
export function decodePath(rawPath: string): string[] {
  return rawPath.split('/').filter((s) => s.length > 0).map(decodeSegment);
}

/** Splits an absolute JFS path given in a query value (`/{user}/{device}/{mount}/...`), already form-decoded. */
export function splitAbsolute(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

export function firstProblem(names: string[]): { name: string; problem: NameProblem } | undefined {
  for (const name of names) {
    const problem = nameProblem(name);
    if (problem) return { name, problem };
  }
  return undefined;
}
