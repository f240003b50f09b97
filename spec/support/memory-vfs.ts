import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { StorageError } from '../../lib/storage/errors.js';
import { baseName, isSameOrBelow, joinPath, parentPath, splitPath } from '../../lib/util/paths.js';
import { contentTypeOf } from '../../lib/vfs/content-types.js';
import type { ByteRange, Entry, ReadOptions, TransferOptions, TransferResult, Usage, Vfs, WriteOptions, WriteResult } from '../../lib/vfs/types.js';

/**
 * An in-memory Vfs honouring the contract of lib/vfs/types.ts, for specs, litmus and benches that
 * test the WebDAV layer alone. Case-sensitive by default; `caseInsensitive: true` makes it
 * fold names the way a case-insensitive remote would (stored case is preserved).
 */
export interface MemoryVfsOptions {
  caseInsensitive?: boolean;
  /** Refuse a write whose body is larger than this (QUOTA_EXCEEDED); default unlimited. */
  quotaBytes?: number;
}

interface FileNode {
  kind: 'file';
  name: string;
  chunks: Buffer[];
  size: number;
  md5: string;
  modified: Date;
  created: Date;
}

interface DirNode {
  kind: 'collection';
  name: string;
  children: Map<string, Node>;
  modified: Date;
  created: Date;
}

type Node = FileNode | DirNode;

const READ_CHUNK = 64 * 1024;

export class MemoryVfs implements Vfs {
  readonly caseInsensitive: boolean;
  private readonly quotaBytes: number;
  private readonly root: DirNode;

  constructor(options: MemoryVfsOptions = {}) {
    this.caseInsensitive = options.caseInsensitive ?? false;
    this.quotaBytes = options.quotaBytes ?? Infinity;
    const now = new Date();
    this.root = { kind: 'collection', name: '', children: new Map(), modified: now, created: now };
  }

  resourceKey(path: string): string {
    const nfc = path.normalize('NFC');
    return this.caseInsensitive ? nfc.toLowerCase() : nfc;
  }

  async stat(path: string): Promise<Entry> {
    const { node, canonical } = this.lookup(path);
    return toEntry(node, canonical);
  }

  async list(path: string): Promise<Entry[]> {
    const { node, canonical } = this.lookup(path);
    if (node.kind !== 'collection') throw new StorageError('NOT_A_DIRECTORY', `${path} is a file`);
    return [...node.children.values()].map((child) => toEntry(child, joinPath(canonical, child.name)));
  }

  async read(path: string, range?: ByteRange, signal?: AbortSignal, options: ReadOptions = {}): Promise<Readable> {
    const { node, canonical } = this.lookup(path);
    if (node.kind !== 'file') throw new StorageError('IS_A_DIRECTORY', `${path} is a collection`);
    if (options.expect && toEntry(node, canonical).etag !== options.expect.etag) throw new StorageError('CHANGED', `${path} changed`);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? node.size - 1, node.size - 1);
    if (range && (start < 0 || start >= node.size || end < start)) {
      throw new StorageError('INVALID_ARGUMENT', `range ${start}-${range.end ?? ''} outside ${node.size} bytes`);
    }
    // Snapshot the chunks: a concurrent write replaces the array, never mutates it.
    const content = Buffer.concat(node.chunks, node.size);
    function* slices(): Generator<Buffer> {
      for (let at = start; at <= end; at += READ_CHUNK) yield content.subarray(at, Math.min(end + 1, at + READ_CHUNK));
    }
    const stream = Readable.from(slices(), { objectMode: false });
    signal?.addEventListener('abort', () => stream.destroy(new StorageError('ABORTED', 'read aborted')), { once: true });
    return stream;
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<WriteResult> {
    // A simple NFC world: names are created in NFC, as the Vfs contract asks.
    path = path.normalize('NFC');
    this.checkName(path);
    // Fail fast before consuming anything; checked again at commit time.
    this.parentFor(path);
    const hash = createHash('md5');
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        size += buf.length;
        if (size > this.quotaBytes) throw new StorageError('QUOTA_EXCEEDED', 'quota exceeded');
        if (options.expectedSize !== undefined && size > options.expectedSize) {
          throw new StorageError('INVALID_ARGUMENT', `body longer than the declared ${options.expectedSize} bytes`);
        }
        hash.update(buf);
        chunks.push(buf);
      }
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new StorageError('ABORTED', 'the body ended early', { cause: error });
    }
    if (body.readableAborted) throw new StorageError('ABORTED', 'the body was aborted');
    if (options.expectedSize !== undefined && size !== options.expectedSize) {
      throw new StorageError('INVALID_ARGUMENT', `body has ${size} bytes, ${options.expectedSize} declared`);
    }
    // Commit: only now does the new content become visible.
    const parent = this.parentFor(path);
    const key = this.key(baseName(path));
    const existing = parent.children.get(key);
    if (existing?.kind === 'collection') throw new StorageError('IS_A_DIRECTORY', `${path} is a collection`);
    const now = new Date();
    const node: FileNode = {
      kind: 'file',
      name: existing?.name ?? baseName(path),
      chunks,
      size,
      md5: hash.digest('hex'),
      modified: options.modified ?? now,
      created: existing?.created ?? now,
    };
    parent.children.set(key, node);
    return { entry: toEntry(node, joinPath(this.canonicalOf(parentPath(path)), node.name)), created: !existing };
  }

  async mkdir(path: string): Promise<Entry> {
    // A simple NFC world: names are created in NFC, as the Vfs contract asks.
    path = path.normalize('NFC');
    this.checkName(path);
    const parent = this.parentFor(path);
    const key = this.key(baseName(path));
    if (parent.children.has(key)) throw new StorageError('ALREADY_EXISTS', `${path} exists`);
    const now = new Date();
    const node: DirNode = { kind: 'collection', name: baseName(path), children: new Map(), modified: now, created: now };
    parent.children.set(key, node);
    return toEntry(node, joinPath(this.canonicalOf(parentPath(path)), node.name));
  }

  async remove(path: string): Promise<void> {
    if (splitPath(path).length === 0) throw new StorageError('PERMISSION_DENIED', 'the root cannot be removed');
    const { node } = this.lookup(path);
    const parent = this.lookup(parentPath(path)).node as DirNode;
    parent.children.delete(this.key(node.name));
  }

  async move(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    to = to.normalize('NFC');
    return this.transfer(from, to, options, true);
  }

  async copy(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    to = to.normalize('NFC');
    return this.transfer(from, to, options, false);
  }

  async setModified(path: string, modified: Date): Promise<void> {
    const { node } = this.lookup(path);
    node.modified = modified;
  }

  async usage(): Promise<Usage | undefined> {
    const used = sizeOf(this.root);
    return Number.isFinite(this.quotaBytes) ? { used, total: this.quotaBytes } : { used };
  }

  async close(): Promise<void> {}

  private transfer(from: string, to: string, options: TransferOptions, move: boolean): TransferResult {
    const { node } = this.lookup(from);
    if (splitPath(from).length === 0) throw new StorageError('INVALID_ARGUMENT', 'the root cannot be moved or copied');
    const fromKey = this.resourceKey(from);
    const toKey = this.resourceKey(to);
    if (move && fromKey === toKey && from.normalize('NFC') !== to.normalize('NFC')) {
      // A case-only rename on a case-insensitive tree (Explorer: "report" → "Report").
      this.checkName(to);
      node.name = baseName(to);
      return { created: false };
    }
    if (isSameOrBelow(toKey, fromKey)) throw new StorageError('INVALID_ARGUMENT', `${to} lies inside ${from}`);
    this.checkName(to);
    const parent = this.parentFor(to);
    const key = this.key(baseName(to));
    const existing = parent.children.get(key);
    if (existing && !options.overwrite) throw new StorageError('ALREADY_EXISTS', `${to} exists`);
    const copy = move ? { ...node, name: baseName(to) } : cloneNode(node, baseName(to), options.depth ?? 'infinity');
    if (move) {
      const fromParent = this.lookup(parentPath(from)).node as DirNode;
      fromParent.children.delete(this.key(node.name));
    }
    parent.children.set(key, copy);
    return { created: !existing };
  }

  private key(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }

  private checkName(path: string): void {
    const name = baseName(path);
    if (name === '' || name === '.' || name === '..') throw new StorageError('INVALID_NAME', `invalid name '${name}'`);
    if (name.length > 255) throw new StorageError('NAME_TOO_LONG', `name longer than 255: ${name.slice(0, 20)}…`);
  }

  private parentFor(path: string): DirNode {
    let parent: Node = this.root;
    for (const segment of splitPath(parentPath(path.normalize('NFC')))) {
      if (parent.kind !== 'collection') throw new StorageError('PARENT_MISSING', `a parent of ${path} is a file`);
      const child: Node | undefined = parent.children.get(this.key(segment));
      if (!child) throw new StorageError('PARENT_MISSING', `the parent of ${path} does not exist`);
      parent = child;
    }
    if (parent.kind !== 'collection') throw new StorageError('PARENT_MISSING', `the parent of ${path} is a file`);
    return parent;
  }

  private lookup(path: string): { node: Node; canonical: string } {
    let node: Node = this.root;
    let canonical = '/';
    for (const segment of splitPath(path.normalize('NFC'))) {
      if (node.kind !== 'collection') throw new StorageError('NOT_A_DIRECTORY', `a parent of ${path} is a file`);
      const child: Node | undefined = node.children.get(this.key(segment));
      if (!child) throw new StorageError('NOT_FOUND', `${path} does not exist`);
      node = child;
      canonical = joinPath(canonical, child.name);
    }
    return { node, canonical };
  }

  private canonicalOf(path: string): string {
    return this.lookup(path).canonical;
  }
}

function cloneNode(node: Node, name: string, depth: 0 | 'infinity'): Node {
  if (node.kind === 'file') return { ...node, name, chunks: [...node.chunks] };
  const children = new Map<string, Node>();
  if (depth === 'infinity') for (const [key, child] of node.children) children.set(key, cloneNode(child, child.name, depth));
  const now = new Date();
  return { kind: 'collection', name, children, modified: now, created: now };
}

function sizeOf(node: Node): number {
  if (node.kind === 'file') return node.size;
  let total = 0;
  for (const child of node.children.values()) total += sizeOf(child);
  return total;
}

function toEntry(node: Node, path: string): Entry {
  if (node.kind === 'collection') {
    return { path, name: node.name, kind: 'collection', size: 0, modified: node.modified, created: node.created };
  }
  return {
    path,
    name: node.name,
    kind: 'file',
    size: node.size,
    etag: `${node.md5}-${node.size}`,
    md5: node.md5,
    modified: node.modified,
    created: node.created,
    ...contentTypeField(node.name),
  };
}

function contentTypeField(name: string): { contentType?: string } {
  const type = contentTypeOf(name);
  return type ? { contentType: type } : {};
}
