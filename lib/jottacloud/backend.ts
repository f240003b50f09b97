/**
 * StorageBackend over Jottacloud, rooted at one device + mount point (default Jotta/Archive).
 * Paths arrive name-encoded by the vfs; this class only splits and URL-escapes them. Every
 * failure leaves here as a StorageError (backend-errors.ts).
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { StorageError } from '../storage/errors.js';
import type {
  BackendFeatures,
  ByteRange,
  ListOptions,
  ListTreeOptions,
  ReadOptions,
  RemoteEntry,
  RemoteKind,
  RemoteRevision,
  RemoveOptions,
  StorageBackend,
  TrashEmptied,
  UploadBody,
  Usage,
} from '../storage/backend.js';
import { toStorageError } from './backend-errors.js';
import type { JfsLocation, JottacloudClient } from './client.js';
import type { DownloadOptions } from './download.js';
import { verifiedCommand, type Outcome } from './verified.js';
import { isJottaError, JottaHttpError } from './errors.js';
import { isListedFile, isListedFolder, isLiveFile } from './filters.js';
import type { JottaFile, JottaFolderRef, JottaRevision } from './wire-types.js';

export const JOTTACLOUD_FEATURES: BackendFeatures = Object.freeze({
  caseInsensitive: true,
  md5BeforeUpload: true,
  serverSideMove: true,
  serverSideCopy: true,
  maxNameLength: 255,
  modifiedPrecisionMs: 1000,
});

export interface JottacloudBackendOptions {
  client: JottacloudClient;
  /** The device and mount point served (an account's `device` and `mountPoint`). */
  device: string;
  mountPoint: string;
  /** true: every remove is permanent, like rclone's --jottacloud-hard-delete. */
  hardDelete?: boolean;
  /** Called by close() (e.g. to stop token timers). */
  onClose?: () => void | Promise<void>;
}

/** Splits a remote path; rejects what could never be a valid encoded name. */
export function remoteSegments(path: string): string[] {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new StorageError('INVALID_ARGUMENT', `not an absolute remote path: ${String(path)}`);
  const segments = path.split('/').filter((s) => s !== '');
  for (const s of segments) {
    // "." and ".." would be resolved away by URL parsing; the vfs encodes them as look-alikes.
    if (s === '.' || s === '..') throw new StorageError('INVALID_NAME', `name "${s}" must be encoded before it reaches the backend`);
    if (s.length > JOTTACLOUD_FEATURES.maxNameLength) throw new StorageError('NAME_TOO_LONG', `name longer than ${JOTTACLOUD_FEATURES.maxNameLength} characters: ${s.slice(0, 40)}…`);
  }
  return segments;
}

function parentSegments(segments: readonly string[]): string[] {
  return segments.slice(0, -1);
}

/**
 * Errors that happen mid-stream (connection reset, abort) also leave as StorageErrors; destroying
 * the returned stream destroys the upstream one, which ends the HTTP request.
 */
function storageErrorsOnly(upstream: Readable, path: string): Readable {
  const out = new PassThrough();
  upstream.on('error', (error) => out.destroy(toStorageError(error, 'read', path)));
  out.on('close', () => {
    if (!upstream.readableEnded) upstream.destroy();
  });
  upstream.pipe(out);
  return out;
}

function remoteRevision(r: JottaRevision, number: number): RemoteRevision {
  const out: RemoteRevision = { number, state: r.state ?? 'UNKNOWN' };
  if (r.size !== undefined) out.size = r.size;
  if (r.md5) out.md5 = r.md5;
  if (r.modified) out.modified = r.modified;
  if (r.created) out.created = r.created;
  if (r.updated) out.updated = r.updated;
  return out;
}

export class JottacloudBackend implements StorageBackend {
  readonly features = JOTTACLOUD_FEATURES;
  readonly device: string;
  readonly mountPoint: string;

  constructor(private readonly options: JottacloudBackendOptions) {
    this.device = options.device;
    this.mountPoint = options.mountPoint;
  }

  get client(): JottacloudClient {
    return this.options.client;
  }

  private at(segments: readonly string[]): JfsLocation {
    return { device: this.device, mountPoint: this.mountPoint, segments };
  }

  private async edge<T>(operation: string, path: string | undefined, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStorageError(error, operation, path);
    }
  }

  private async fileEntry(file: JottaFile, listedDeleted = false): Promise<RemoteEntry> {
    const rev = file.currentRevision;
    const entry: RemoteEntry = { name: file.name, kind: 'file', size: rev?.size ?? 0 };
    if (rev?.md5) entry.md5 = rev.md5;
    if (rev?.modified) entry.modified = rev.modified;
    if (rev?.created) entry.created = rev.created;
    if (rev?.updated) entry.updated = rev.updated;
    if (rev?.mime) entry.mime = rev.mime;
    if (file.publicURI) entry.publicLink = await this.client.linkFor(file.publicURI);
    if (listedDeleted && file.deleted) entry.deleted = file.deletedAt ?? new Date(0);
    return entry;
  }

  /** Dates only where the service sent some (it sends none for folders, see lib/vfs/folder-times.ts). */
  private folderEntry(name: string, ref?: Pick<JottaFolderRef, 'deleted' | 'deletedAt' | 'modified' | 'created'>): RemoteEntry {
    const entry: RemoteEntry = { name, kind: 'folder', size: 0 };
    if (ref?.modified) entry.modified = ref.modified;
    if (ref?.created) entry.created = ref.created;
    if (ref?.deleted) entry.deleted = ref.deletedAt ?? new Date(0);
    return entry;
  }

  /**
   * The live entry at `segments`, or NOT_FOUND. `trashed`: a trashed file (with a completed
   * revision) is found too; the service serves its bytes with mode=bin. A trashed folder
   * is then a folder, so that reading it is IS_A_DIRECTORY like any folder.
   */
  private async lookup(segments: readonly string[], path: string, trashed = false): Promise<RemoteEntry> {
    const doc = await this.client.get(this.at(segments));
    if (doc.kind === 'file') {
      if (!isLiveFile(doc.file) && !(trashed && isListedFile(doc.file, true))) throw new StorageError('NOT_FOUND', `${path}: no live file`);
      const entry = await this.fileEntry(doc.file);
      entry.revisions = doc.file.revisions.flatMap((r) => (r.number === undefined ? [] : [remoteRevision(r, r.number)]));
      return entry;
    }
    if (doc.kind === 'folder') {
      if (doc.folder.deleted && !trashed) throw new StorageError('NOT_FOUND', `${path}: folder is in the trash`);
      const { modified } = doc.folder;
      const entry = this.folderEntry(segments.length === 0 ? '' : doc.folder.name || segments[segments.length - 1]!, { deleted: false, ...(modified ? { modified } : {}) });
      if (doc.folder.publicURI) entry.publicLink = await this.client.linkFor(doc.folder.publicURI);
      return entry;
    }
    throw new StorageError('NOT_FOUND', `${path}: not a file or folder (<${doc.root}>)`);
  }

  stat(path: string): Promise<RemoteEntry> {
    return this.edge('stat', path, () => this.lookup(remoteSegments(path), path));
  }

  list(path: string, options: ListOptions = {}): Promise<RemoteEntry[]> {
    return this.edge('list', path, async () => {
      const trashedOnly = options.trashedOnly ?? false;
      return this.client.readFolder(this.at(remoteSegments(path)), async (items) => {
        const out: RemoteEntry[] = [];
        for await (const item of items) {
          if (item.kind === 'folder') {
            if (isListedFolder(item.folder, trashedOnly)) out.push(this.folderEntry(item.folder.name, item.folder));
          } else if (item.kind === 'file') {
            if (isListedFile(item.file, trashedOnly)) out.push(await this.fileEntry(item.file, trashedOnly));
          } else if (item.kind === 'root') {
            if (item.deleted && !trashedOnly) throw new StorageError('NOT_FOUND', `${path}: folder is in the trash`);
          } else {
            const doc = item.document;
            if (doc.kind === 'file') {
              if (!isLiveFile(doc.file) && !trashedOnly) throw new StorageError('NOT_FOUND', `${path}: not found`);
              throw new StorageError('NOT_A_DIRECTORY', `${path}: is a file`);
            }
            throw new StorageError('NOT_FOUND', `${path}: not a folder (<${doc.kind === 'other' ? doc.root : doc.folder.root}>)`);
          }
        }
        return out;
      });
    });
  }

  listTree(path: string, options: ListTreeOptions): Promise<Map<string, RemoteEntry[]> | undefined> {
    return this.edge('list', path, async () => {
      const segments = remoteSegments(path);
      // Paths come back as `/{mount point}/…` in the stored case: the prefix is matched folded.
      const prefix = `/${this.mountPoint}`.toLowerCase();
      const remote = (wire: string): string => {
        if (!wire.toLowerCase().startsWith(prefix) || (wire.length > prefix.length && wire[prefix.length] !== '/')) {
          throw new StorageError('UNAVAILABLE', `liststream: path ${wire} is outside /${this.mountPoint}`);
        }
        return wire.length === prefix.length ? '/' : wire.slice(prefix.length);
      };
      const tree = new Map<string, RemoteEntry[]>();
      const folder = (at: string): RemoteEntry[] => {
        let entries = tree.get(at);
        if (!entries) {
          entries = [];
          tree.set(at, entries);
          if (at !== path && at !== '/') {
            const cut = at.lastIndexOf('/');
            const parent = cut <= 0 ? '/' : at.slice(0, cut);
            if (tree.has(parent) || parent.length >= path.length) folder(parent).push({ name: at.slice(cut + 1), kind: 'folder', size: 0 });
          }
        }
        return entries;
      };
      let seen = 0;
      for await (const item of this.client.listStream(this.at(segments))) {
        if (++seen > options.maxEntries) return undefined; // leaving the loop ends the request
        if (item.kind === 'folder') folder(remote(item.path));
        else if (item.kind === 'file') {
          const entry: RemoteEntry = { name: item.name, kind: 'file', size: item.size, md5: item.md5 };
          if (item.modified) entry.modified = item.modified;
          if (item.created) entry.created = item.created;
          folder(remote(item.path)).push(entry);
        }
      }
      return tree;
    });
  }

  read(path: string, range?: ByteRange, signal?: AbortSignal, options: ReadOptions = {}): Promise<Readable> {
    return this.edge('read', path, async () => {
      const segments = remoteSegments(path);
      const trashed = options.trashed === true;
      // The stat answers what a bin download cannot tell apart: folder, trashed, never completed.
      // A caller that has just stat'ed the file names the revision instead of paying a second one.
      const entry = options.expect ? { kind: 'file' as const, size: options.expect.size, md5: options.expect.md5 } : await this.lookup(segments, path, trashed);
      if (entry.kind === 'folder') throw new StorageError('IS_A_DIRECTORY', `${path}: is a folder`);
      const download: DownloadOptions = {
        expectedSize: entry.size,
        // A resume continues only on the revision the first bytes came from.
        sameRevision: async () => {
          const now = await this.lookup(segments, path, trashed).catch(() => undefined);
          return now?.kind === 'file' && now.size === entry.size && now.md5 === entry.md5;
        },
      };
      if (range) {
        const { start } = range;
        if (!Number.isSafeInteger(start) || start < 0 || (range.end !== undefined && (!Number.isSafeInteger(range.end) || range.end < start))) {
          throw new StorageError('INVALID_ARGUMENT', `${path}: bad range ${start}-${range.end ?? ''}`);
        }
        if (start >= entry.size) {
          if (start === 0 && entry.size === 0) return Readable.from([], { objectMode: false });
          throw new StorageError('INVALID_ARGUMENT', `${path}: range starts at ${start}, beyond ${entry.size} bytes`);
        }
        const end = range.end === undefined ? undefined : Math.min(range.end, entry.size - 1);
        return storageErrorsOnly(await this.client.download(this.at(segments), { start, end }, signal, download), path);
      }
      if (entry.size === 0) return Readable.from([], { objectMode: false });
      return storageErrorsOnly(await this.client.download(this.at(segments), undefined, signal, download), path);
    });
  }

  mkdir(path: string): Promise<void> {
    return this.edge('mkdir', path, async () => {
      const segments = remoteSegments(path);
      if (segments.length === 0) return;
      try {
        await this.client.mkdir(this.at(segments));
      } catch (error) {
        if (error instanceof JottaHttpError && error.status >= 400 && error.status < 500 && error.status !== 401 && error.status !== 429) {
          await this.explainCollision(segments, path);
        }
        throw error;
      }
    });
  }

  /** After a failed mkdir: a file on the path is the usual cause; say so precisely. */
  private async explainCollision(segments: readonly string[], path: string): Promise<void> {
    for (let i = 1; i <= segments.length; i++) {
      let doc;
      try {
        doc = await this.client.get(this.at(segments.slice(0, i)));
      } catch {
        return;
      }
      if (doc.kind === 'file' && isLiveFile(doc.file)) {
        throw new StorageError('NAME_COLLISION', `${path}: /${segments.slice(0, i).join('/')} is a file`);
      }
    }
  }

  remove(path: string, kind: RemoteKind, options: RemoveOptions): Promise<void> {
    return this.edge('remove', path, async () => {
      const segments = remoteSegments(path);
      if (segments.length === 0) throw new StorageError('PERMISSION_DENIED', 'the root cannot be removed');
      // `dl` succeeds on missing paths, so existence is checked first, like rclone's purgeCheck.
      const entry = await this.lookup(segments, path);
      if (entry.kind !== kind) {
        throw new StorageError(entry.kind === 'folder' ? 'IS_A_DIRECTORY' : 'NOT_A_DIRECTORY', `${path}: is a ${entry.kind}`);
      }
      const hard = this.options.hardDelete === true || options.hard;
      try {
        if (kind === 'file') await this.client.deleteFile(this.at(segments), hard);
        else await this.client.deleteFolder(this.at(segments), hard);
      } catch (error) {
        // It was there a moment ago: a 404 now means a repeat after an unanswered success (or
        // another client deleted it first). Either way it is gone, which is what was asked.
        if (!isJottaError(error, 'JOTTA_NOT_FOUND')) throw error;
      }
    });
  }

  move(from: string, to: string, kind: RemoteKind): Promise<void> {
    return this.edge('move', from, async () => {
      const src = remoteSegments(from);
      const dst = remoteSegments(to);
      if (src.length === 0 || dst.length === 0) throw new StorageError('INVALID_ARGUMENT', 'the root cannot be moved or replaced');
      if (src.join('/') === dst.join('/')) return;
      const folded = (s: readonly string[]) => s.join('/').toLowerCase();
      if (kind === 'folder' && folded(dst).startsWith(`${folded(src)}/`)) {
        throw new StorageError('INVALID_ARGUMENT', `${from}: a folder cannot move into itself`);
      }
      if (folded(src) === folded(dst)) {
        // Case-only rename: the case-insensitive service sees source = destination; go through a
        // temporary name like rclone's MoveCaseInsensitive.
        const temp = [...parentSegments(dst), `${dst[dst.length - 1]!.slice(0, 200)}.jottadav-${randomBytes(6).toString('hex')}`];
        await this.moveOnce(src, temp, kind);
        try {
          await this.moveOnce(temp, dst, kind);
        } catch (error) {
          // Back to the old name, so that a failed rename leaves no temporary name behind.
          await this.moveOnce(temp, src, kind).catch(() => undefined);
          throw error;
        }
        return;
      }
      await this.moveOnce(src, dst, kind);
    });
  }

  private async moveOnce(src: readonly string[], dst: readonly string[], kind: RemoteKind): Promise<void> {
    // rclone creates the destination parent first; mkDir is idempotent.
    if (dst.length > 1) await this.client.mkdir(this.at(parentSegments(dst)));
    const send = () => (kind === 'file' ? this.client.moveFile(this.at(src), this.at(dst)) : this.client.moveFolder(this.at(src), this.at(dst)));
    // A move is not sent twice blindly: after an ambiguous failure the source and the destination
    // tell whether it happened.
    await verifiedCommand(send, () => this.moveOutcome(src, dst, kind), this.client.http.policy);
  }

  private async moveOutcome(src: readonly string[], dst: readonly string[], kind: RemoteKind): Promise<Outcome> {
    const state = async (segments: readonly string[]) => {
      try {
        return (await this.lookup(segments, '/' + segments.join('/'))).kind;
      } catch (error) {
        if (error instanceof StorageError && error.code === 'NOT_FOUND') return 'absent';
        if (isJottaError(error, 'JOTTA_NOT_FOUND')) return 'absent';
        throw error;
      }
    };
    const [source, target] = await Promise.all([state(src), state(dst)]);
    if (source === kind) return 'not-done';
    return source === 'absent' && target === kind ? 'done' : 'unknown';
  }

  copy(from: string, to: string): Promise<RemoteEntry> {
    return this.edge('copy', from, async () => {
      const src = remoteSegments(from);
      const dst = remoteSegments(to);
      if (src.length === 0 || dst.length === 0) throw new StorageError('INVALID_ARGUMENT', 'the root cannot be copied or replaced');
      if (dst.length > 1) await this.client.mkdir(this.at(parentSegments(dst)));
      return this.fileEntry(await this.client.copyFile(this.at(src), this.at(dst)));
    });
  }

  setModified(path: string, modified: Date, created?: Date): Promise<RemoteEntry> {
    return this.edge('setModified', path, async () => {
      const segments = remoteSegments(path);
      const doc = await this.client.get(this.at(segments));
      if (doc.kind === 'folder' && !doc.folder.deleted) throw new StorageError('IS_A_DIRECTORY', `${path}: folders have no modification time on Jottacloud`);
      if (doc.kind !== 'file' || !isLiveFile(doc.file)) throw new StorageError('NOT_FOUND', `${path}: no live file`);
      const rev = doc.file.currentRevision!;
      if (!rev.md5 || rev.size === undefined) throw new StorageError('UNAVAILABLE', `${path}: the service did not report size and md5`);
      const file = await this.client.cphash(this.at(segments), {
        size: rev.size,
        md5: rev.md5,
        created: created ?? rev.created ?? modified,
        modified,
      });
      return this.fileEntry(file);
    });
  }

  upload(path: string, body: UploadBody): Promise<RemoteEntry> {
    return this.edge('upload', path, async () => {
      const segments = remoteSegments(path);
      if (segments.length === 0) throw new StorageError('INVALID_ARGUMENT', 'cannot upload onto the root');
      return this.fileEntry(await this.client.upload(this.at(segments), body));
    });
  }

  usage(): Promise<Usage> {
    return this.edge('usage', undefined, async () => {
      const user = await this.client.user();
      const usage: Usage = { used: user.usage ?? 0 };
      // capacity -1 means unlimited.
      if (user.capacity !== undefined && user.capacity > 0) usage.total = user.capacity;
      return usage;
    });
  }

  setPublicLink(path: string, enabled: boolean): Promise<string | undefined> {
    return this.edge('setPublicLink', path, async () => {
      const segments = remoteSegments(path);
      await this.lookup(segments, path); // a trashed item answers 200 on the wire; here it is NOT_FOUND
      return this.client.setShare(this.at(segments), enabled);
    });
  }

  emptyTrash(): Promise<TrashEmptied> {
    return this.edge('emptyTrash', undefined, async () => {
      const purged = await this.client.purgeTrash();
      // Counts are of trash roots (a deleted folder counts once), as far as a 2026 measurement shows.
      return { folders: purged.folders ?? 0, files: purged.files ?? 0 };
    });
  }

  async close(): Promise<void> {
    await this.options.onClose?.();
  }
}
