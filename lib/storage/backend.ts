import type { Readable } from 'node:stream';

/**
 * The port between lib/vfs and a concrete remote store (lib/jottacloud implements it).
 *
 * Paths are *remote* paths: already name-encoded for the service (see lib/vfs/name-codec.ts),
 * '/'-separated, absolute within the backend's root, e.g. '/' (the root), '/Reports/q4.pdf'.
 * Every method rejects with StorageError only.
 */

export type RemoteKind = 'file' | 'folder';

export interface RemoteEntry {
  /** Name as the service stores it (encoded, case preserved). '' for the root. */
  name: string;
  kind: RemoteKind;
  /** Bytes of the current completed revision; 0 for folders. */
  size: number;
  /** Lowercase hex MD5 of the current revision (files only). */
  md5?: string;
  /** Client-supplied modification time, whole seconds. Folders on Jottacloud have none. */
  modified?: Date;
  /** Client-supplied creation time, whole seconds. */
  created?: Date;
  /** Server time the current revision was stored. */
  updated?: Date;
  mime?: string;
  /** Set while a public link is enabled: the full download URL. */
  publicLink?: string;
  /** Set on entries listed from the trash (trashed-only views). */
  deleted?: Date;
  /**
   * A file's older revisions, newest first. Only `stat` reports them (the service lists them in a
   * file's own document, never in a folder listing); undefined means not asked, not "none".
   */
  revisions?: RemoteRevision[];
}

/** One older revision of a file, as the service keeps it (its content cannot be read back). */
export interface RemoteRevision {
  number: number;
  /** COMPLETED, INCOMPLETE, CORRUPT… as the service says. */
  state: string;
  /** Absent on unfinished revisions. */
  size?: number;
  md5?: string;
  modified?: Date;
  created?: Date;
  /** Server time the revision was stored. */
  updated?: Date;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. Omitted: to the end. */
  end?: number;
}

/**
 * A body that can be (re)opened at any offset, so that an interrupted upload can resume at the
 * service's resume position without re-reading what was already sent.
 */
export interface UploadBody {
  size: number;
  /** Lowercase hex MD5 of the whole body, known before the upload starts. */
  md5: string;
  modified?: Date;
  created?: Date;
  open(offset: number): Readable | Promise<Readable>;
}

export interface BackendFeatures {
  /** Names differing only in case address the same item (lookups must fold). */
  caseInsensitive: boolean;
  /** The MD5 of a body must be known before an upload starts. */
  md5BeforeUpload: boolean;
  serverSideMove: boolean;
  serverSideCopy: boolean;
  /** Longest name the service accepts, in UTF-16 code units. */
  maxNameLength: number;
  /** Modification-time precision in milliseconds. */
  modifiedPrecisionMs: number;
}

export interface ListOptions {
  /** true: list only trashed items (folders are always listed so they can be descended). */
  trashedOnly?: boolean;
}

export interface ListTreeOptions {
  /** Give up (answer undefined) once the subtree holds more entries than this. */
  maxEntries: number;
}

export interface ReadOptions {
  /**
   * true: a file that is in the trash may be read too (its last completed revision), as the
   * trashed-only view lists it; without it a trashed file is NOT_FOUND. Live files read the same
   * either way, so a file restored between listing and reading still reads.
   */
  trashed?: boolean;
  /**
   * The revision the caller has just stat'ed (size and MD5): the read skips its own lookup and
   * fails with CHANGED when the service now holds other content. A read that must resume after a
   * dropped connection checks it again, so bytes of two revisions are never joined.
   */
  expect?: { size: number; md5?: string };
}

export interface RemoveOptions {
  /** true: delete permanently; false: move to the trash. */
  hard: boolean;
}

export interface Usage {
  used: number;
  /** Total capacity in bytes; undefined when unlimited or unknown. */
  total?: number;
}

/** What emptyTrash removed, counted as the trash showed it: a trashed folder once, not its contents. */
export interface TrashEmptied {
  folders: number;
  files: number;
}

export interface StorageBackend {
  readonly features: BackendFeatures;

  /**
   * The item's own document: NOT_FOUND when nothing live is at `path`. The root is a folder. Unlike
   * a listing it reports a folder's public link and a file's older revisions.
   */
  stat(path: string): Promise<RemoteEntry>;

  /**
   * The live children of a folder (trashed and never-completed files hidden), or with
   * `trashedOnly` the trashed ones. NOT_FOUND, NOT_A_DIRECTORY.
   */
  list(path: string, options?: ListOptions): Promise<RemoteEntry[]>;
  /**
   * Optional: the live listing of every folder in the subtree at `path` (a folder), keyed by remote
   * path (`path` itself included), in one request where the service has one. Entries carry name,
   * kind, size, md5 and times only (no mime, no public link). Undefined when the subtree holds
   * more than `maxEntries` entries. NOT_FOUND, NOT_A_DIRECTORY as list().
   */
  listTree?(path: string, options: ListTreeOptions): Promise<Map<string, RemoteEntry[]> | undefined>;

  /**
   * The bytes of the current revision, or only `range`. Aborting `signal` (or destroying the
   * stream) ends the upstream request. A trashed file is NOT_FOUND unless `options.trashed`.
   * NOT_FOUND, IS_A_DIRECTORY, INVALID_ARGUMENT (bad range).
   */
  read(path: string, range?: ByteRange, signal?: AbortSignal, options?: ReadOptions): Promise<Readable>;

  /** Creates the folder and any missing parents; idempotent. NAME_COLLISION when a file is in the way. */
  mkdir(path: string): Promise<void>;

  /** NOT_FOUND. Folders are removed recursively. */
  remove(path: string, kind: RemoteKind, options: RemoveOptions): Promise<void>;

  /**
   * Moves or renames a file or folder to the full new path `to` (parents are created).
   * NOT_FOUND (source). The caller has cleared a live destination first.
   *
   * The backend owns case-only renames (`to` differs from `from` only in case): the item takes the
   * new spelling. A case-insensitive backend that cannot rename in place goes through a temporary
   * name and, when the second step fails, moves the item back, so no temporary name is left
   * behind. Callers (the vfs) never go through a temporary name of their own.
   */
  move(from: string, to: string, kind: RemoteKind): Promise<void>;

  /** Server-side copy of a file to the full path `to`, replacing a file there. NOT_FOUND. */
  copy(from: string, to: string): Promise<RemoteEntry>;

  /** Sets the modification (and optionally creation) time of a file. NOT_FOUND. */
  setModified(path: string, modified: Date, created?: Date): Promise<RemoteEntry>;

  /**
   * Stores `body` at `path` as a new revision (parents are created). Resolves only once the
   * service has confirmed the whole body; on failure any previous revision stays current.
   * QUOTA_EXCEEDED, INVALID_NAME, NAME_TOO_LONG, UNAVAILABLE.
   */
  upload(path: string, body: UploadBody): Promise<RemoteEntry>;

  usage(): Promise<Usage>;

  /** Enables (returns the link) or disables (returns undefined) a public link. NOT_FOUND. */
  setPublicLink(path: string, enabled: boolean): Promise<string | undefined>;

  /** Permanently removes everything in the trash (of the whole account, not only below this backend's root). */
  emptyTrash(): Promise<TrashEmptied>;

  close(): Promise<void>;
}
