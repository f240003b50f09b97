/** How the folder page writes sizes, dates and kinds of file; the page and its script agree on these. */

const UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'];

/**
 * Decimal units as Finder and most file browsers show them: '532 bytes', '12.4 kB', '3 GB'.
 * One decimal below 100 of a unit, none above (the exact count is in the row's data attribute).
 */
export function humanSize(bytes: number): string {
  if (bytes < 1000) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const shown = value < 100 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${shown} ${UNITS[unit] as string}`;
}

/** The date the page shows without its script: UTC, to the minute ('2026-12-02 13:51 UTC'). */
export function utcText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export type FileKind = 'folder' | 'file' | 'text' | 'image' | 'audio' | 'video' | 'archive' | 'code' | 'pdf' | 'document' | 'spreadsheet' | 'presentation';

const KIND_BY_EXTENSION: Record<string, FileKind> = {};
const KINDS: Array<[FileKind, string]> = [
  ['text', 'txt md markdown rtf log csv tsv ini conf cfg'],
  ['image', 'png jpg jpeg gif webp svg bmp tif tiff heic heif avif ico raw cr2 nef dng psd'],
  ['audio', 'mp3 m4a aac flac wav ogg oga opus wma aiff aif'],
  ['video', 'mp4 m4v mov avi mkv webm wmv mpg mpeg 3gp'],
  ['archive', 'zip tar gz tgz bz2 xz 7z rar zst dmg iso'],
  ['code', 'js mjs cjs ts tsx jsx json xml html htm css scss py rb go rs java c h cpp hpp cs php sh bash zsh ps1 sql yml yaml toml'],
  ['pdf', 'pdf'],
  ['document', 'doc docx odt pages epub'],
  ['spreadsheet', 'xls xlsx ods numbers'],
  ['presentation', 'ppt pptx odp key'],
];
for (const [kind, extensions] of KINDS) for (const extension of extensions.split(' ')) KIND_BY_EXTENSION[extension] = kind;

/** Chooses the icon: by the name's extension; folders are folders. */
export function kindOf(name: string, collection: boolean): FileKind {
  if (collection) return 'folder';
  const dot = name.lastIndexOf('.');
  return (dot > 0 && KIND_BY_EXTENSION[name.slice(dot + 1).toLowerCase()]) || 'file';
}
