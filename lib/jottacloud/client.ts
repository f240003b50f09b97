/**
 * The Jottacloud client: one method per wire operation (docs/jottacloud-protocol.md). It speaks in
 * Jottacloud terms (devices, mount points, JottaFile) and throws JottaErrors; the storage-neutral
 * view is backend.ts.
 */
import type { Readable } from 'node:stream';
import type { RetryPolicy } from '../util/retry.js';
import type { FetchLike, TokenSource } from './auth.js';
import { openDownload, type DownloadOptions, type DownloadRange } from './download.js';
import { absoluteJfsPath, allocatePath, jfsUrl, publicLink, resolveEndpoints, TRASH_DEVICE, withQuery, type Endpoints } from './endpoints.js';
import { isJottaError, JottaProtocolError } from './errors.js';
import { readFolderListing, type FolderListingItem } from './folder-listing.js';
import { readListStream, type ListStreamItem } from './liststream.js';
import { JottaHttp } from './http.js';
import { formatJottaTime } from './time.js';
import { uploadFile, type UploadOptions, type UploadSource } from './upload.js';
import type {
  AllocateRequest,
  AllocateResponse,
  CustomerInfo,
  JfsDocument,
  JottaDevice,
  JottaFile,
  JottaFolder,
  JottaUser,
  TrashResponse,
} from './wire-types.js';
import { parseDevice, parseJfsDocument, parseUser } from './xml.js';

/** An item inside a device's mount point; `segments` are server-side (already encoded) names. */
export interface JfsLocation {
  device: string;
  mountPoint: string;
  segments: readonly string[];
}

export interface ClientOptions {
  tokens: TokenSource;
  endpoints?: Partial<Endpoints>;
  fetch?: FetchLike;
  retry?: RetryPolicy;
  /** Wait for response headers at most this long (not for bodies, not for byte uploads). */
  timeoutMs?: number;
  /** The JFS username; fetched from account/v1/customer when omitted. */
  username?: string;
  upload?: UploadOptions;
}

export interface CphashInput {
  size: number;
  md5: string;
  created: Date;
  modified: Date;
}

export class JottacloudClient {
  readonly endpoints: Endpoints;
  readonly http: JottaHttp;
  private usernamePromise?: Promise<string>;

  constructor(readonly options: ClientOptions) {
    this.endpoints = resolveEndpoints(options.endpoints);
    this.http = new JottaHttp({ tokens: options.tokens, fetch: options.fetch, retry: options.retry, timeoutMs: options.timeoutMs });
    if (options.username) this.usernamePromise = Promise.resolve(options.username);
  }

  // ------------------------------------------------------------ account

  /** `GET {API}account/v1/customer`. */
  customer(): Promise<CustomerInfo> {
    return this.http.json<CustomerInfo>({ url: `${this.endpoints.api}account/v1/customer` });
  }

  /** The JFS username: always from the customer document, never from the login token. */
  username(): Promise<string> {
    this.usernamePromise ??= this.customer().then(
      (c) => {
        if (typeof c.username !== 'string' || c.username === '') throw new JottaProtocolError('customer info without username');
        return c.username;
      },
      (error: unknown) => {
        this.usernamePromise = undefined; // do not cache a failure
        throw error;
      },
    );
    return this.usernamePromise;
  }

  /** `GET {JFS}{user}`: usage, capacity and devices. */
  async user(): Promise<JottaUser> {
    const user = await this.username();
    return parseUser(await this.http.text({ url: jfsUrl(this.endpoints.jfs, [user]) }));
  }

  /** `GET {JFS}{user}/{device}`: the device's mount points. */
  async device(name: string): Promise<JottaDevice> {
    const user = await this.username();
    return parseDevice(await this.http.text({ url: jfsUrl(this.endpoints.jfs, [user, name]) }));
  }

  /** `POST {JFS}{user}/{device}/{mountpoint}`; 200 when it already exists. */
  async createMountPoint(device: string, mountPoint: string): Promise<void> {
    const user = await this.username();
    await this.http.text({ method: 'POST', url: jfsUrl(this.endpoints.jfs, [user, device, mountPoint]), retry: 'idempotent' });
  }

  // ------------------------------------------------------------ paths

  private async url(at: JfsLocation, query?: Record<string, string>, trailingSlash = false): Promise<string> {
    const user = await this.username();
    const base = jfsUrl(this.endpoints.jfs, [user, at.device, at.mountPoint, ...at.segments]);
    return withQuery(trailingSlash ? `${base}/` : base, query);
  }

  async absolutePath(at: JfsLocation): Promise<string> {
    return absoluteJfsPath(await this.username(), at.device, at.mountPoint, at.segments);
  }

  // ------------------------------------------------------------ read

  /** `GET {path}`: a file, folder or mount point document. A 404 throws JOTTA_NOT_FOUND. */
  async get(at: JfsLocation): Promise<JfsDocument> {
    return parseJfsDocument(await this.http.text({ url: await this.url(at) }));
  }

  /**
   * `GET {path}` of what is expected to be a folder, read as it arrives: `read` gets the entries
   * one by one (folder-listing.ts) and its result is returned. A retried request calls `read`
   * again on the new answer; leaving the loop early ends the request.
   */
  async readFolder<T>(at: JfsLocation, read: (items: AsyncGenerator<FolderListingItem>) => Promise<T>): Promise<T> {
    return this.http.consume({ url: await this.url(at) }, async (res) => {
      const body = res.body;
      if (!body) throw new JottaProtocolError('folder listing: an answer without a body');
      try {
        return await read(readFolderListing(body as AsyncIterable<Uint8Array>));
      } finally {
        (body as { destroy?: () => void }).destroy?.();
      }
    });
  }

  /**
   * `GET {path}?mode=bin` with an optional Range; the stream ends the request when destroyed, and
   * resumes by itself after a dropped connection (download.ts).
   */
  async download(at: JfsLocation, range?: DownloadRange, signal?: AbortSignal, options?: DownloadOptions): Promise<Readable> {
    return openDownload(this.http, await this.url(at, { mode: 'bin' }), range, signal, options);
  }

  /**
   * `GET {folder}?mode=liststream`: the subtree's folders and live files, read as they arrive.
   * Breaking out of the loop ends the request.
   */
  async *listStream(at: JfsLocation): AsyncGenerator<ListStreamItem> {
    const res = await this.http.call({ url: await this.url(at, { mode: 'liststream' }), retry: 'idempotent' });
    const body = res.body;
    if (!body) throw new JottaProtocolError('liststream: an answer without a body');
    try {
      yield* readListStream(body as AsyncIterable<Uint8Array>);
    } finally {
      (body as { destroy?: () => void }).destroy?.();
    }
  }

  /** `GET {JFS}{user}/Jotta/Trash`: the roots of deletions across the account. */
  async trash(): Promise<JottaFolder> {
    const user = await this.username();
    const doc = parseJfsDocument(await this.http.text({ url: jfsUrl(this.endpoints.jfs, [user, TRASH_DEVICE, 'Trash']) }));
    if (doc.kind !== 'folder') throw new JottaProtocolError(`trash view answered <${doc.kind === 'other' ? doc.root : doc.kind}>`);
    return doc.folder;
  }

  // ------------------------------------------------------------ write

  /** `POST {path}?mkDir=true`: creates parents too, 200 when it exists. */
  async mkdir(at: JfsLocation): Promise<void> {
    await this.command(at, { mkDir: 'true' }, 'idempotent');
  }

  /** `dl=true` (trash; succeeds on missing paths) or `rm=true` (permanent; 404 when missing). */
  async deleteFile(at: JfsLocation, hard: boolean): Promise<void> {
    await this.command(at, hard ? { rm: 'true' } : { dl: 'true' }, 'idempotent');
  }

  /** `dlDir=true` / `rmDir=true`, recursive. */
  async deleteFolder(at: JfsLocation, hard: boolean): Promise<void> {
    await this.command(at, hard ? { rmDir: 'true' } : { dlDir: 'true' }, 'idempotent');
  }

  /**
   * `POST {src}?mv={abs dst}`. Not idempotent (a repeat after success finds no source),
   * so it is only repeated when the server declined it.
   */
  async moveFile(from: JfsLocation, to: JfsLocation): Promise<JottaFile> {
    return this.fileCommand(from, { mv: await this.absolutePath(to) }, 'unprocessed');
  }

  /**
   * `POST {src}/?mvDir={abs dst}`. rclone sends the source unescaped; here it is escaped
   * like every other path, keeping the trailing slash the server needs.
   */
  async moveFolder(from: JfsLocation, to: JfsLocation): Promise<void> {
    await this.http.text({ method: 'POST', url: await this.url(from, { mvDir: await this.absolutePath(to) }, true), retry: 'unprocessed' });
  }

  /**
   * `POST {src}?cp={abs dst}`, with the trashed-destination repair: when a trashed file was at
   * the destination, the copy stays in the trash (a service quirk); a cphash restores it.
   */
  async copyFile(from: JfsLocation, to: JfsLocation): Promise<JottaFile> {
    const copied = await this.fileCommand(from, { cp: await this.absolutePath(to) }, 'idempotent');
    const rev = copied.currentRevision;
    if (copied.deleted && rev?.state === 'COMPLETED' && rev.md5 && rev.size !== undefined) {
      // Unlike rclone, pass the copy's own times rather than zero times, so nothing is reset.
      const when = rev.modified ?? new Date();
      return this.cphash(to, { size: rev.size, md5: rev.md5, created: rev.created ?? when, modified: when });
    }
    return copied;
  }

  /**
   * `POST {path}?cphash=true` with JSize/JMd5/JCreated/JModified: sets the times of a
   * matching file, restores a trashed one, or creates it from known content. 404: no match.
   */
  async cphash(at: JfsLocation, input: CphashInput): Promise<JottaFile> {
    const xml = await this.http.text({
      method: 'POST',
      url: await this.url(at, { cphash: 'true' }),
      headers: {
        JSize: String(input.size),
        JMd5: input.md5.toLowerCase(),
        JCreated: formatJottaTime(input.created),
        JModified: formatJottaTime(input.modified),
      },
      retry: 'idempotent',
    });
    return this.expectFile(xml);
  }

  /** `GET {path}?mode=enableShare|disableShare`; returns the download link or undefined. */
  async setShare(at: JfsLocation, enabled: boolean): Promise<string | undefined> {
    const doc = parseJfsDocument(await this.http.text({ url: await this.url(at, { mode: enabled ? 'enableShare' : 'disableShare' }) }));
    const uri = doc.kind === 'file' ? doc.file.publicURI : doc.kind === 'folder' ? doc.folder.publicURI : undefined;
    if (enabled) {
      if (!uri) throw new JottaProtocolError('enableShare answered without a publicURI');
      return publicLink(this.endpoints.www, await this.username(), uri);
    }
    if (uri) throw new JottaProtocolError('disableShare answered with the publicURI still present');
    return undefined;
  }

  /** The link a public URI gives (for entries listed with one). */
  async linkFor(publicURI: string): Promise<string> {
    return publicLink(this.endpoints.www, await this.username(), publicURI);
  }

  /** `POST {API}files/v1/purge_trash`. */
  purgeTrash(): Promise<TrashResponse> {
    return this.http.json<TrashResponse>({ method: 'POST', url: `${this.endpoints.api}files/v1/purge_trash`, retry: 'idempotent' });
  }

  // ------------------------------------------------------------ upload

  /**
   * `POST {API}files/v1/allocate`. rclone never retries it, but it is safe to repeat: a second
   * allocation of the same path, size and MD5 answers the same pending upload (with how much of it
   * the service holds) or COMPLETED, and at worst leaves an unused session behind.
   */
  allocate(request: AllocateRequest, signal?: AbortSignal): Promise<AllocateResponse> {
    return this.http.json<AllocateResponse>({
      method: 'POST',
      url: `${this.endpoints.api}files/v1/allocate`,
      headers: { 'Content-Type': 'application/json' },
      body: () => JSON.stringify(request),
      retry: 'idempotent',
      signal,
    });
  }

  allocatePathOf(at: JfsLocation): string {
    return allocatePath(at.device, at.mountPoint, at.segments);
  }

  /** Allocate, then send bytes from resume_pos; resumes after a dropped connection. */
  upload(at: JfsLocation, source: UploadSource, signal?: AbortSignal): Promise<JottaFile> {
    return uploadFile(this, at, source, { ...this.options.upload, signal });
  }

  // ------------------------------------------------------------ helpers

  private async command(at: JfsLocation, query: Record<string, string>, retry: 'idempotent' | 'unprocessed'): Promise<string> {
    // Command POSTs carry no body and no Content-Type: with one, the server may take the
    // request for an upload.
    return this.http.text({ method: 'POST', url: await this.url(at, query), retry });
  }

  private async fileCommand(at: JfsLocation, query: Record<string, string>, retry: 'idempotent' | 'unprocessed'): Promise<JottaFile> {
    return this.expectFile(await this.command(at, query, retry));
  }

  private expectFile(xml: string): JottaFile {
    const doc = parseJfsDocument(xml);
    if (doc.kind !== 'file') throw new JottaProtocolError(`expected a <file> document, got <${doc.kind === 'other' ? doc.root : doc.folder.root}>`);
    return doc.file;
  }
}

export function isNotFound(error: unknown): boolean {
  return isJottaError(error, 'JOTTA_NOT_FOUND');
}
