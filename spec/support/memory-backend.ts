import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  BackendFeatures,
  ByteRange,
  ListOptions,
  ReadOptions,
  RemoteEntry,
  RemoteKind,
  RemoveOptions,
  StorageBackend,
  TrashEmptied,
  UploadBody,
  Usage,
} from '../../lib/storage/backend.js';
import { StorageError, type StorageErrorCode } from '../../lib/storage/errors.js';

/**
 * An in-memory StorageBackend that behaves the way Jottacloud does as far as ./backend.ts
 * describes it, for specs of the layers above: case-insensitive and case-preserving names,
 * 255-unit names, raw reserved characters and '%' rejected (INVALID_NAME), whole-second
 * mtimes, trash vs hard delete, MD5 known for every file, folders without timestamps.
 *
 * Test hooks: `calls` counts every method, `failUploadAfter` cuts an upload mid-body (optionally
 * resuming from the cut, as the Jottacloud client does with resume_pos), `failNext` makes the next
 * call of a method reject, and `seedFile` stores names the service would accept from older
 * clients (e.g. two names that fold together).
 */

interface FileNode {
  kind: 'file';
  name: string;
  content: Buffer;
  md5: string;
  modified: Date;
  created: Date;
  updated: Date;
  mime?: string;
  revisions: number;
  deleted?: Date;
  publicLink?: string;
}

interface FolderNode {
  kind: 'folder';
  name: string;
  children: Node[];
  deleted?: Date;
}

type Node = FileNode | FolderNode;

export interface MemoryBackendOptions {
  /** Capacity in bytes; uploads beyond it fail with QUOTA_EXCEEDED. Default unlimited. */
  capacity?: number;
  /** Apply Jottacloud's name rules (default true). */
  validateNames?: boolean;
}

export type BackendMethod =
  | 'stat'
  | 'list'
  | 'read'
  | 'mkdir'
  | 'remove'
  | 'move'
  | 'copy'
  | 'setModified'
  | 'upload'
  | 'usage'
  | 'setPublicLink'
  | 'emptyTrash';

interface UploadFault {
  afterBytes: number;
  resume: boolean;
  code: StorageErrorCode;
}

// Raw characters the service refuses in a name: the reserved set, controls, DEL and '%'.
const FORBIDDEN = /[\u0000-\u001f\u007f"*:<>?|%/]/;
const MAX_NAME = 255;
// Invalid UTF-8 cannot be carried in XML: a lone surrogate stands for it here.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export class MemoryBackend implements StorageBackend {
  readonly features: BackendFeatures = {
    caseInsensitive: true,
    md5BeforeUpload: true,
    serverSideMove: true,
    serverSideCopy: true,
    maxNameLength: MAX_NAME,
    modifiedPrecisionMs: 1000,
  };

  readonly calls: Record<BackendMethod, number> = {
    stat: 0, list: 0, read: 0, mkdir: 0, remove: 0, move: 0, copy: 0,
    setModified: 0, upload: 0, usage: 0, setPublicLink: 0, emptyTrash: 0,
  };

  private readonly root: FolderNode = { kind: 'folder', name: '', children: [] };
  private readonly capacity: number | undefined;
  private readonly validate: boolean;
  private uploadFaults: UploadFault[] = [];
  private readonly nextFailures = new Map<BackendMethod, StorageErrorCode[]>();
  /** Every call as `method path` (for "did this name ever reach the service" checks). */
  readonly log: string[] = [];
  /** Bytes read from upload bodies, offsets included: what a resume re-sent. */
  readonly uploadOpens: number[] = [];

  constructor(options: MemoryBackendOptions = {}) {
    this.capacity = options.capacity;
    this.validate = options.validateNames ?? true;
  }

  // ---- test hooks ----

  /** The next upload fails after `bytes` bytes; with `resume` the backend then continues from there. */
  failUploadAfter(bytes: number, options: { resume?: boolean; code?: StorageErrorCode } = {}): void {
    this.uploadFaults.push({ afterBytes: bytes, resume: options.resume ?? false, code: options.code ?? 'UNAVAILABLE' });
  }

  /** The next call of `method` rejects with `code`. */
  failNext(method: BackendMethod, code: StorageErrorCode = 'UNAVAILABLE'): void {
    const list = this.nextFailures.get(method) ?? [];
    list.push(code);
    this.nextFailures.set(method, list);
  }

  resetCalls(): void {
    for (const key of Object.keys(this.calls) as BackendMethod[]) this.calls[key] = 0;
  }

  /** Stores a file without name validation or case folding against siblings (older data). */
  seedFile(path: string, content: string | Buffer, modified = new Date()): void {
    const segments = split(path);
    const name = segments.pop()!;
    const parent = this.ensureFolder(segments);
    const data = Buffer.from(content);
    parent.children.push(this.fileNode(name, data, md5(data), seconds(modified), undefined));
  }

  // ---- StorageBackend ----

  async stat(path: string): Promise<RemoteEntry> {
    this.enter('stat', path);
    return toRemote(this.live(path));
  }

  async list(path: string, options: ListOptions = {}): Promise<RemoteEntry[]> {
    this.enter('list', path);
    const node = this.find(split(path));
    if (!node || (node.deleted && !options.trashedOnly)) throw notFound(path);
    if (node.kind !== 'folder') throw new StorageError('NOT_A_DIRECTORY', `${path} is a file`);
    const wanted = node.children.filter((c) =>
      options.trashedOnly ? c.deleted !== undefined || (c.kind === 'folder' && hasTrash(c)) : c.deleted === undefined,
    );
    return wanted.map(toRemote);
  }

  async read(path: string, range?: ByteRange, signal?: AbortSignal, options: ReadOptions = {}): Promise<Readable> {
    this.enter('read', path);
    const node = this.find(split(path));
    if (!node || (node.deleted && !options.trashed)) throw notFound(path);
    if (node.kind === 'folder') throw new StorageError('IS_A_DIRECTORY', `${path} is a folder`);
    const size = node.content.length;
    let body = node.content;
    if (range) {
      const end = Math.min(range.end ?? size - 1, size - 1);
      if (range.start < 0 || range.start >= size || end < range.start) {
        throw new StorageError('INVALID_ARGUMENT', `range ${range.start}-${range.end ?? ''} outside ${size} bytes`);
      }
      body = node.content.subarray(range.start, end + 1);
    }
    const stream = Readable.from(chunks(body), { objectMode: false });
    signal?.addEventListener('abort', () => stream.destroy(new StorageError('ABORTED', 'read aborted')), { once: true });
    return stream;
  }

  async mkdir(path: string): Promise<void> {
    this.enter('mkdir', path);
    const segments = split(path);
    segments.forEach((s) => this.checkName(s));
    let folder = this.root;
    for (const segment of segments) {
      const child = findChild(folder, segment);
      if (child?.kind === 'file' && !child.deleted) throw new StorageError('NAME_COLLISION', `a file is in the way at ${segment}`);
      if (child?.kind === 'folder') {
        child.deleted = undefined; // mkDir revives a trashed folder
        folder = child;
      } else {
        if (child) remove(folder, child);
        const created: FolderNode = { kind: 'folder', name: segment, children: [] };
        folder.children.push(created);
        folder = created;
      }
    }
  }

  async remove(path: string, kind: RemoteKind, options: RemoveOptions): Promise<void> {
    this.enter('remove', path);
    const segments = split(path);
    const node = this.find(segments);
    if (!node || node.kind !== kind || node.deleted) throw notFound(path);
    if (segments.length === 0) throw new StorageError('PERMISSION_DENIED', 'the root cannot be removed');
    if (options.hard) remove(this.find(segments.slice(0, -1)) as FolderNode, node);
    else markDeleted(node, new Date());
  }

  async move(from: string, to: string, kind: RemoteKind): Promise<void> {
    this.enter('move', `${from} -> ${to}`);
    const source = this.live(from);
    if (source.kind !== kind) throw notFound(from);
    const fromSegments = split(from);
    const target = split(to);
    const name = target.pop()!;
    this.checkName(name);
    if (isBelow([...target, name].map(fold), fromSegments.map(fold)) && fold(to) !== fold(from)) {
      throw new StorageError('INVALID_ARGUMENT', `${to} lies inside ${from}`);
    }
    const parent = this.ensureFolder(target);
    const existing = findChild(parent, name);
    if (existing && existing !== source) {
      if (!existing.deleted) throw new StorageError('ALREADY_EXISTS', `${to} exists`);
      remove(parent, existing); // a move onto a trashed path revives it (replaces the tombstone)
    }
    remove(this.find(fromSegments.slice(0, -1)) as FolderNode, source);
    source.name = name;
    parent.children.push(source);
  }

  async copy(from: string, to: string): Promise<RemoteEntry> {
    this.enter('copy', `${from} -> ${to}`);
    const source = this.live(from);
    if (source.kind !== 'file') throw new StorageError('IS_A_DIRECTORY', `${from} is a folder`);
    const target = split(to);
    const name = target.pop()!;
    this.checkName(name);
    const parent = this.ensureFolder(target);
    const existing = findChild(parent, name);
    if (existing?.kind === 'folder' && !existing.deleted) throw new StorageError('NAME_COLLISION', `${to} is a folder`);
    const copy = this.fileNode(existing?.name ?? name, source.content, source.md5, source.modified, source.mime);
    copy.created = source.created;
    if (existing) remove(parent, existing);
    parent.children.push(copy);
    return toRemote(copy);
  }

  async setModified(path: string, modified: Date, created?: Date): Promise<RemoteEntry> {
    this.enter('setModified', path);
    const node = this.live(path);
    if (node.kind !== 'file') throw new StorageError('IS_A_DIRECTORY', `${path} is a folder`);
    node.modified = seconds(modified);
    if (created) node.created = seconds(created);
    return toRemote(node);
  }

  async upload(path: string, body: UploadBody): Promise<RemoteEntry> {
    this.enter('upload', path);
    const segments = split(path);
    const name = segments.pop()!;
    segments.forEach((s) => this.checkName(s));
    this.checkName(name);
    if (this.capacity !== undefined && this.used() + body.size > this.capacity) {
      throw new StorageError('QUOTA_EXCEEDED', 'the account is full');
    }
    const fault = this.uploadFaults.shift();
    const received: Buffer[] = [];
    let offset = 0;
    const pull = async (from: number, limit: number): Promise<void> => {
      this.uploadOpens.push(from);
      const stream = await body.open(from);
      try {
        for await (const chunk of stream) {
          const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
          const take = Math.min(buf.length, limit - offset);
          if (take > 0) received.push(buf.subarray(0, take));
          offset += take;
          if (offset >= limit) break;
        }
      } finally {
        stream.destroy();
      }
    };
    if (fault) {
      await pull(0, Math.min(fault.afterBytes, body.size));
      if (!fault.resume) throw new StorageError(fault.code, `upload cut after ${offset} bytes (injected)`);
      await pull(offset, body.size);
    } else {
      await pull(0, body.size);
    }
    const content = Buffer.concat(received);
    if (content.length !== body.size || md5(content) !== body.md5) {
      throw new StorageError('INVALID_ARGUMENT', `upload of ${path} does not match its declared size/MD5`);
    }
    // Commit: only a complete, verified body becomes the current revision.
    const parent = this.ensureFolder(segments);
    const existing = findChild(parent, name);
    if (existing?.kind === 'folder' && !existing.deleted) throw new StorageError('NAME_COLLISION', `${path} is a folder`);
    const modified = seconds(body.modified ?? new Date());
    if (existing?.kind === 'file') {
      existing.content = content;
      existing.md5 = body.md5;
      existing.modified = modified;
      if (body.created) existing.created = seconds(body.created);
      existing.updated = seconds(new Date());
      existing.revisions += 1;
      existing.deleted = undefined;
      return toRemote(existing);
    }
    if (existing) remove(parent, existing);
    const node = this.fileNode(name, content, body.md5, modified, mimeOf(name));
    if (body.created) node.created = seconds(body.created);
    parent.children.push(node);
    return toRemote(node);
  }

  async usage(): Promise<Usage> {
    this.enter('usage');
    return this.capacity === undefined ? { used: this.used() } : { used: this.used(), total: this.capacity };
  }

  async setPublicLink(path: string, enabled: boolean): Promise<string | undefined> {
    this.enter('setPublicLink', path);
    const node = this.live(path);
    if (node.kind !== 'file') throw new StorageError('IS_A_DIRECTORY', `${path} is a folder`);
    node.publicLink = enabled ? `http://127.0.0.1/public/${md5(Buffer.from(path))}` : undefined;
    return node.publicLink;
  }

  async emptyTrash(): Promise<TrashEmptied> {
    this.enter('emptyTrash');
    const emptied = { folders: 0, files: 0 };
    purge(this.root, emptied);
    return emptied;
  }

  async close(): Promise<void> {}

  /** Revision count of a file (for specs: "no empty revision followed by a second one"). */
  revisionsOf(path: string): number {
    const node = this.live(path);
    return node.kind === 'file' ? node.revisions : 0;
  }

  // ---- internals ----

  private enter(method: BackendMethod, path = ''): void {
    this.calls[method] += 1;
    this.log.push(`${method} ${path}`);
    const pending = this.nextFailures.get(method);
    const code = pending?.shift();
    if (code) throw new StorageError(code, `${method} failed (injected)`);
  }

  private checkName(name: string): void {
    if (!this.validate) return;
    if (name.length > MAX_NAME) {
      throw new StorageError('NAME_TOO_LONG', `names may not be longer than ${MAX_NAME} characters`);
    }
    if (name === '' || name === '.' || name === '..' || FORBIDDEN.test(name) || LONE_SURROGATE.test(name)) {
      throw new StorageError('INVALID_NAME', `invalid name ${JSON.stringify(name)}`);
    }
  }

  private find(segments: string[]): Node | undefined {
    let node: Node = this.root;
    for (const segment of segments) {
      if (node.kind !== 'folder') return undefined;
      const child = findChild(node, segment);
      if (!child) return undefined;
      node = child;
    }
    return node;
  }

  private live(path: string): Node {
    const node = this.find(split(path));
    if (!node || node.deleted) throw notFound(path);
    return node;
  }

  private ensureFolder(segments: string[]): FolderNode {
    let folder = this.root;
    for (const segment of segments) {
      const child = findChild(folder, segment);
      if (child?.kind === 'file' && !child.deleted) throw new StorageError('NAME_COLLISION', `a file is in the way at ${segment}`);
      if (child?.kind === 'folder') {
        child.deleted = undefined;
        folder = child;
      } else {
        this.checkName(segment);
        if (child) remove(folder, child);
        const created: FolderNode = { kind: 'folder', name: segment, children: [] };
        folder.children.push(created);
        folder = created;
      }
    }
    return folder;
  }

  private fileNode(name: string, content: Buffer, hash: string, modified: Date, mime: string | undefined): FileNode {
    const now = seconds(new Date());
    return { kind: 'file', name, content, md5: hash, modified, created: modified, updated: now, mime: mime ?? mimeOf(name), revisions: 1 };
  }

  private used(): number {
    return sizeOf(this.root);
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function fold(name: string): string {
  return name.toLowerCase();
}

/** Exact name first, then folded (Jottacloud matches case-insensitively). Live nodes win over tombstones. */
function findChild(folder: FolderNode, name: string): Node | undefined {
  const ordered = [...folder.children].sort((a, b) => Number(a.deleted !== undefined) - Number(b.deleted !== undefined));
  return ordered.find((c) => c.name === name) ?? ordered.find((c) => fold(c.name) === fold(name));
}

function remove(folder: FolderNode, node: Node): void {
  const i = folder.children.indexOf(node);
  if (i >= 0) folder.children.splice(i, 1);
}

function isBelow(path: string[], ancestor: string[]): boolean {
  return path.length >= ancestor.length && ancestor.every((s, i) => path[i] === s);
}

function markDeleted(node: Node, when: Date): void {
  node.deleted = when;
  if (node.kind === 'folder') node.children.forEach((c) => markDeleted(c, when));
}

function hasTrash(folder: FolderNode): boolean {
  return folder.children.some((c) => c.deleted !== undefined || (c.kind === 'folder' && hasTrash(c)));
}

/** Drops trashed nodes, counting each once (a trashed folder's contents go with it, uncounted). */
function purge(folder: FolderNode, emptied: TrashEmptied): void {
  for (const c of folder.children) if (c.deleted) emptied[c.kind === 'folder' ? 'folders' : 'files']++;
  folder.children = folder.children.filter((c) => !c.deleted);
  folder.children.forEach((c) => c.kind === 'folder' && purge(c, emptied));
}

function sizeOf(node: Node): number {
  // Trashed files still count toward usage, as on Jottacloud.
  return node.kind === 'file' ? node.content.length : node.children.reduce((sum, c) => sum + sizeOf(c), 0);
}

function notFound(path: string): StorageError {
  return new StorageError('NOT_FOUND', `${path} does not exist`);
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function seconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function* chunks(body: Buffer): Generator<Buffer> {
  for (let at = 0; at < body.length; at += 64 * 1024) yield body.subarray(at, at + 64 * 1024);
}

function toRemote(node: Node): RemoteEntry {
  if (node.kind === 'folder') {
    return { name: node.name, kind: 'folder', size: 0, ...(node.deleted ? { deleted: node.deleted } : {}) };
  }
  return {
    name: node.name,
    kind: 'file',
    size: node.content.length,
    md5: node.md5,
    modified: node.modified,
    created: node.created,
    updated: node.updated,
    ...(node.mime ? { mime: node.mime } : {}),
    ...(node.publicLink ? { publicLink: node.publicLink } : {}),
    ...(node.deleted ? { deleted: node.deleted } : {}),
  };
}

const MIME: Record<string, string> = {
  txt: 'text/plain', pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png',
};

function mimeOf(name: string): string | undefined {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  return name.includes('.') ? MIME[ext] : undefined;
}
