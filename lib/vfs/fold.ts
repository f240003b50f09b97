/**
 * The case/Unicode folding key: two client names with the same key address the same resource on
 * a case-insensitive remote. NFC first (Finder sends NFD), then toLowerCase — the same folding the
 * emulator applies (whether Jottacloud folds beyond ASCII is unconfirmed; see
 * docs/jottacloud-protocol.md "Paths").
 */
export function foldName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** Folds every segment of a '/'-separated path. */
export function foldPath(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

/** A client path in canonical form: NFC, leading '/', no empty segments or trailing '/'. */
export function normalizeClientPath(path: string): string {
  const segments = path.normalize('NFC').split('/').filter((s) => s.length > 0);
  return '/' + segments.join('/');
}
