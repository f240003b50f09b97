import type { RemoteEntry } from '../storage/backend.js';
import type { Entry } from './types.js';

export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** ETag promise of types.ts: changes with the content, equal for equal content and size. */
export function etagOf(md5: string, size: number): string {
  return `${md5}-${size}`;
}

export function remoteToEntry(remote: RemoteEntry, path: string, name: string): Entry {
  if (remote.kind === 'folder') {
    // Jottacloud folders carry no timestamps (§9.9): leave them out rather than invent them.
    const entry: Entry = { path, name, kind: 'collection', size: 0 };
    if (remote.modified) entry.modified = remote.modified;
    if (remote.created) entry.created = remote.created;
    return entry;
  }
  const entry: Entry = { path, name, kind: 'file', size: remote.size };
  if (remote.md5) {
    entry.md5 = remote.md5;
    entry.etag = etagOf(remote.md5, remote.size);
  }
  if (remote.modified) entry.modified = remote.modified;
  if (remote.created) entry.created = remote.created;
  const type = remote.mime ?? contentTypeOf(name);
  if (type) entry.contentType = type;
  if (remote.publicLink) entry.publicLink = remote.publicLink;
  return entry;
}

export function localFileEntry(path: string, name: string, size: number, md5: string, created: number, modified: number): Entry {
  const entry: Entry = {
    path,
    name,
    kind: 'file',
    size,
    md5,
    etag: etagOf(md5, size),
    created: new Date(created),
    modified: new Date(modified),
  };
  const type = contentTypeOf(name);
  if (type) entry.contentType = type;
  return entry;
}

const TYPES: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', html: 'text/html', htm: 'text/html', css: 'text/css', csv: 'text/csv',
  js: 'text/javascript', json: 'application/json', xml: 'application/xml', pdf: 'application/pdf',
  zip: 'application/zip', gz: 'application/gzip', tar: 'application/x-tar', '7z': 'application/x-7z-compressed',
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml',
  heic: 'image/heic', tif: 'image/tiff', tiff: 'image/tiff', bmp: 'image/bmp', ico: 'image/vnd.microsoft.icon',
  mp3: 'audio/mpeg', m4a: 'audio/mp4', wav: 'audio/wav', flac: 'audio/flac', ogg: 'audio/ogg',
  mp4: 'video/mp4', mov: 'video/quicktime', mkv: 'video/x-matroska', webm: 'video/webm', avi: 'video/x-msvideo',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet',
};

/** A content type from the file extension, or undefined (lib/dav then sends its default). */
export function contentTypeOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? TYPES[name.slice(dot + 1).toLowerCase()] : undefined;
}
