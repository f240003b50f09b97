import type { Readable } from 'node:stream';
import type { ByteRange, RemoteRevision, Usage } from '../storage/backend.js';

export type { ByteRange, Usage };

/** An older revision of a file (number, state, size, MD5, times). Its content cannot be read. */
export type Revision = RemoteRevision;

/**
 * The seam between lib/dav and lib/vfs. Paths are *client* paths: '/'-separated, absolute,
 * percent-decoded but otherwise as the client sent them, never with a trailing slash ('/' is the
 * root). Names may hold any character a WebDAV client can send; mapping them to what the remote
 * accepts is the Vfs's job, and so is Unicode normalisation: a Vfs finds a name in NFC or NFD
 * (Finder sends NFD) and creates new names in NFC, but a name sent exactly as stored addresses
 * that item, so an NFD name beside its NFC twin (older data) stays reachable.
 *
 * Every method rejects with StorageError only (lib/storage/errors.ts). The codes each method
 * uses are listed on it; UNAVAILABLE, AUTH_EXPIRED and PERMISSION_DENIED can come from any.
 */

export type EntryKind = 'file' | 'collection';

export interface Entry {
  /** Canonical client path of the resource (the stored case and normalisation). */
  path: string;
  /** Last segment of `path`; '' for the root. */
  name: string;
  kind: EntryKind;
  /** Bytes; 0 for collections. */
  size: number;
  /**
   * Opaque validator without quotes. Changes whenever the content changes; equal for equal
   * content and size. Absent for collections.
   */
  etag?: string;
  modified?: Date;
  created?: Date;
  contentType?: string;
  /** Lowercase hex MD5 of the content, when the remote knows it. */
  md5?: string;
  /**
   * Public link, when one is enabled. Listings may not know it: only `stat` with `details` is
   * sure to (undefined there means no link).
   */
  publicLink?: string;
  /** A file's older revisions, newest first; only `stat` with `details` fills it. */
  revisions?: Revision[];
}

export interface WriteOptions {
  /** Declared size (Content-Length or X-Expected-Entity-Length); a mismatch fails the write. */
  expectedSize?: number;
  /** Modification time to record (X-OC-Mtime); default: now. */
  modified?: Date;
}

export interface WriteResult {
  entry: Entry;
  /** true when the resource did not exist before. */
  created: boolean;
}

export interface TransferOptions {
  /** false: ALREADY_EXISTS when the destination exists. Default true (replace it). */
  overwrite: boolean;
  /** COPY of a collection: 0 copies the collection alone, 'infinity' everything below it. */
  depth?: 0 | 'infinity';
}

export interface StatOptions {
  /**
   * true: the entry as the remote holds it now (size, ETag, type), never from a cached listing.
   * For reads and conditional requests, where another client's change must show at once.
   */
  fresh?: boolean;
  /**
   * true: a name the cached listing lacks counts as absent without asking the remote. For a probe
   * whose answer the next call decides again anyway (PUT's look at its target before the write).
   */
  trustMisses?: boolean;
  /**
   * Ask the service for the item's own document, which holds what listings do not: the public
   * link and a file's older revisions. One more remote request, so only when asked.
   */
  details?: boolean;
  /**
   * true: only what kind of item it is matters (a PUT's look at its parent). A folder's dates,
   * derived from its whole listing, are left out: per PUT into a large folder they cost the most.
   */
  kindOnly?: boolean;
}

export interface ReadOptions {
  /**
   * The entry a fresh stat just gave: the read serves exactly that revision, or fails with
   * CHANGED when the content is no longer that one (so headers sent from the entry stay true).
   */
  expect?: Entry;
}

export interface TransferResult {
  /** true when the destination did not exist before. */
  created: boolean;
}

export interface Vfs {
  /** Names that differ only in case address the same resource. */
  readonly caseInsensitive: boolean;

  /**
   * The identity of a resource for side state (locks, dead properties): equal for every
   * spelling of a path that addresses the same resource (case, NFC/NFD).
   */
  resourceKey(path: string): string;

  /**
   * NOT_FOUND, NOT_A_DIRECTORY (a file is used as a parent). Without `fresh` the entry may come
   * from a cached listing; a name the cache does not know is still looked up remotely.
   */
  stat(path: string, options?: StatOptions): Promise<Entry>;

  /**
   * The children of a collection, from one remote listing. NOT_FOUND, NOT_A_DIRECTORY. While
   * the folder's listing is unchanged the same array may come back, frozen with its entries:
   * callers may memoise work per array (a rendered listing) and must never change it.
   */
  list(path: string): Promise<readonly Entry[]>;

  /**
   * The content, or only `range` (the range is passed down, so only those bytes are fetched).
   * Aborting `signal` or destroying the stream ends the upstream transfer.
   * NOT_FOUND, IS_A_DIRECTORY, INVALID_ARGUMENT (range outside the file), CHANGED (`expect`).
   */
  read(path: string, range?: ByteRange, signal?: AbortSignal, options?: ReadOptions): Promise<Readable>;

  /**
   * Stores `body` at `path`. Resolves only once the content is committed remotely; if `body`
   * errors or is aborted, or the remote fails, nothing is stored and any previous version stays.
   * PARENT_MISSING, IS_A_DIRECTORY, INVALID_NAME, NAME_TOO_LONG, QUOTA_EXCEEDED, ABORTED.
   */
  write(path: string, body: Readable, options?: WriteOptions): Promise<WriteResult>;

  /** ALREADY_EXISTS (anything at `path`), PARENT_MISSING, INVALID_NAME, NAME_TOO_LONG. */
  mkdir(path: string): Promise<Entry>;

  /** Removes a file, or a collection with everything below it. NOT_FOUND. */
  remove(path: string): Promise<void>;

  /**
   * Moves `from` to `to` (a full path). NOT_FOUND (source), ALREADY_EXISTS (destination exists
   * and overwrite is false), PARENT_MISSING, INVALID_ARGUMENT (into itself).
   *
   * On a case-insensitive Vfs a `to` that is `from` in another spelling (same resourceKey, other
   * name) is a case-only rename, whatever `overwrite` says: the item takes the new spelling and
   * `created` is false. BackendVfs recognises it (move-copy.ts, case-rename.ts) and leaves the
   * remote rename to StorageBackend.move, which owns case-only renames.
   */
  move(from: string, to: string, options: TransferOptions): Promise<TransferResult>;

  /** As move, but copies. */
  copy(from: string, to: string, options: TransferOptions): Promise<TransferResult>;

  /** Sets the modification time of a file (collections: accepted and ignored). NOT_FOUND. */
  setModified(path: string, modified: Date): Promise<void>;

  /** Account usage for RFC 4331 properties; undefined when unknown. */
  usage(): Promise<Usage | undefined>;

  /** Flushes placeholders and stores. */
  close(): Promise<void>;
}
