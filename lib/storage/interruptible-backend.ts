import type { Readable } from 'node:stream';
import type { RemoteEntry, StorageBackend, UploadBody } from './backend.js';
import { AbortedError } from './errors.js';

interface UploadInFlight {
  readonly path: string;
  /** Set by interrupt(): the error the upload ends with. */
  cut?: AbortedError;
  readonly streams: Set<Readable>;
}

/**
 * A StorageBackend whose uploads in flight can be cut, for shutdown. A spooled upload outlives
 * its WebDAV request (the body is complete before the backend sees a byte), so the shutdown grace
 * cannot bound it from the protocol side and the process would linger until it ends. interrupt()
 * destroys the body streams of every upload in flight with an AbortedError; the upload rejects
 * with that error (whatever the backend made of the broken stream), the Vfs removes its spool file,
 * and the backend keeps the previous revision (an unfinished upload never replaces it). Uploads
 * started after the cut (the placeholder flush on close) run normally. Every other method is
 * forwarded as it is.
 */
export class InterruptibleBackend implements StorageBackend {
  private readonly inFlight = new Set<UploadInFlight>();
  /** Offered only when the wrapped backend has it (it is optional in the port). */
  readonly listTree?: StorageBackend['listTree'];

  constructor(
    private readonly inner: StorageBackend,
    /** Told of each upload that ended cut off, once it has given up. */
    private readonly onAborted: (path: string, error: AbortedError) => void = () => undefined,
  ) {
    if (inner.listTree) this.listTree = (path, options) => inner.listTree!(path, options);
  }

  get features(): StorageBackend['features'] {
    return this.inner.features;
  }

  async upload(path: string, body: UploadBody): Promise<RemoteEntry> {
    const upload: UploadInFlight = { path, streams: new Set() };
    this.inFlight.add(upload);
    try {
      return await this.inner.upload(path, {
        ...body,
        open: async (offset: number) => {
          // A resume after the cut must not start the transfer again.
          if (upload.cut) throw upload.cut;
          const stream = await body.open(offset);
          upload.streams.add(stream);
          stream.once('close', () => upload.streams.delete(stream));
          return stream;
        },
      });
    } catch (error) {
      if (!upload.cut) throw error;
      // The backend may report the destroyed stream as a failure of its own: the cut is the cause.
      this.onAborted(path, upload.cut);
      throw upload.cut;
    } finally {
      this.inFlight.delete(upload);
    }
  }

  /** Cuts every upload in flight now, naming `reason` in their errors; returns how many. */
  interrupt(reason: string): number {
    for (const upload of this.inFlight) {
      upload.cut ??= new AbortedError(`${reason}: the upload of ${upload.path} was cut off`);
      for (const stream of upload.streams) stream.destroy(upload.cut);
    }
    return this.inFlight.size;
  }

  stat: StorageBackend['stat'] = (...a) => this.inner.stat(...a);
  list: StorageBackend['list'] = (...a) => this.inner.list(...a);
  read: StorageBackend['read'] = (...a) => this.inner.read(...a);
  mkdir: StorageBackend['mkdir'] = (...a) => this.inner.mkdir(...a);
  remove: StorageBackend['remove'] = (...a) => this.inner.remove(...a);
  move: StorageBackend['move'] = (...a) => this.inner.move(...a);
  copy: StorageBackend['copy'] = (...a) => this.inner.copy(...a);
  setModified: StorageBackend['setModified'] = (...a) => this.inner.setModified(...a);
  usage: StorageBackend['usage'] = () => this.inner.usage();
  setPublicLink: StorageBackend['setPublicLink'] = (...a) => this.inner.setPublicLink(...a);
  emptyTrash: StorageBackend['emptyTrash'] = () => this.inner.emptyTrash();
  close: StorageBackend['close'] = () => this.inner.close();
}
