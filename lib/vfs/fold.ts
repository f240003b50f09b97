/**
 * The case/Unicode folding key: two client names with the same key address the same resource on
 * a case-insensitive remote. NFC first (Finder sends NFD), then toLowerCase — the same folding the
 * emulator applies (jottacloud-api.md §4.3 recommends toLowerCase on both sides).
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
