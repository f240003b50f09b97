import type { RemoteEntry } from '../storage/backend.js';
import { contentTypeOf } from './content-types.js';
import type { Entry } from './types.js';

export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/** ETag promise of types.ts: changes with the content, equal for equal content and size. */
export function etagOf(md5: string, size: number): string {
  return `${md5}-${size}`;
}

export function remoteToEntry(remote: RemoteEntry, path: string, name: string): Entry {
  if (remote.kind === 'folder') {
    // Jottacloud sends no dates for folders: only ones it does send are kept here; folder-times.ts derives the rest.
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
  // The name decides, not the service's mime (content-types.ts says why).
  const type = contentTypeOf(name);
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
