import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError, isStorageError } from '../storage/errors.js';
import { trailingHash, type TrailingHash } from './trailing-hash.js';

/**
 * An upload body held until the remote has it: in memory up to `memoryLimit` bytes, in a temp file
 * beyond (Jottacloud wants the MD5 before the first byte is sent, so the body must be kept).
 * The MD5 is computed while the body arrives. `open(offset)` re-reads from any offset, which is
 * what a resumed upload needs. `dispose()` must be called whatever happens.
 */
export interface Spool {
  readonly size: number;
  readonly md5: string;
  /** Where the body is kept (for specs): 'memory' or the temp file path. */
  readonly location: string;
  open(offset: number): Readable;
  dispose(): Promise<void>;
}

export interface SpoolOptions {
  memoryLimit: number;
  dir: string;
  /** Declared size: a body that is longer or shorter fails with INVALID_ARGUMENT. */
  expectedSize?: number;
}

/** Read-back chunk: uploads are sent in large pieces (the old 64 KiB cost a syscall per piece). */
const READ_CHUNK = 1024 * 1024;
/** The disk spool buffers this much before `write` pushes back, and flushes it in one writev. */
const WRITE_BUFFER = 1024 * 1024;

export async function spoolBody(body: Readable, options: SpoolOptions): Promise<Spool> {
  let size = 0;
  const expected = options.expectedSize;
  // Counts the bytes and checks the declared size as they pass on to the spool.
  const meter = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buf.length;
      if (expected !== undefined && size > expected) {
        done(new StorageError('INVALID_ARGUMENT', `the body is longer than the declared ${expected} bytes`));
        return;
      }
      done(null, buf);
    },
  });
  const sink = new SpoolSink(options.memoryLimit, options.dir);
  let md5: string;
  try {
    try {
      await pipeline(body, meter, sink);
    } catch (error) {
      if (isStorageError(error)) throw error;
      if (isFsError(error)) throw new StorageError('UNAVAILABLE', 'the upload spool could not be written', { cause: error });
      throw new StorageError('ABORTED', 'the request body ended early', { cause: error });
    }
    if (body.readableAborted) throw new StorageError('ABORTED', 'the request body was aborted');
    if (expected !== undefined && size !== expected) {
      throw new StorageError('INVALID_ARGUMENT', `the body has ${size} bytes, ${expected} were declared`);
    }
    md5 = await sink.digest(size);
  } catch (error) {
    await sink.discard();
    if (isStorageError(error)) throw error;
    throw new StorageError('UNAVAILABLE', 'the upload spool could not be hashed', { cause: error });
  }
  if (sink.path) return fileSpool(sink.path, size, md5);
  return memorySpool(Buffer.concat(sink.held, size), md5);
}

/**
 * Holds the body in memory up to `memoryLimit` bytes, hashing it as it comes, then moves it to a
 * temp file and streams the rest there through a buffered WriteStream (backpressure through
 * `write`'s callback, no await per chunk); a file is hashed on another core as it is written
 * (trailing-hash.ts).
 */
class SpoolSink extends Writable {
  held: Buffer[] = [];
  path: string | undefined;
  private heldBytes = 0;
  private file: WriteStream | undefined;
  private readonly memoryHash = createHash('md5');
  private fileHash: TrailingHash | undefined;

  constructor(
    private readonly memoryLimit: number,
    private readonly dir: string,
  ) {
    super({ highWaterMark: WRITE_BUFFER });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.file) return this.forward([chunk], done);
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes <= this.memoryLimit) {
      this.memoryHash.update(chunk);
      return done();
    }
    this.path = join(this.dir, `jottadav-spool-${randomUUID()}`);
    this.file = createWriteStream(this.path, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_BUFFER });
    this.file.on('error', (error) => this.destroy(error));
    // From here the worker hashes the file from its first byte; the memory hash is dropped.
    this.fileHash = trailingHash(this.path);
    const held = this.held;
    this.held = [];
    this.forward(held, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    const file = this.file;
    if (!file) return done();
    // Done once the descriptor is closed: the spool is then re-opened for reading.
    file.once('close', () => done());
    file.end();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.file?.destroy();
    done(error);
  }

  /** The MD5 of all `size` bytes, once the body is complete. */
  digest(size: number): Promise<string> {
    if (this.fileHash) return this.fileHash.finish(size);
    return Promise.resolve(this.memoryHash.digest('hex'));
  }

  /** Drops what was spooled; waits for the descriptor to close so that nothing is left behind. */
  async discard(): Promise<void> {
    this.held = [];
    this.fileHash?.cancel();
    const file = this.file;
    if (!file || !this.path) return;
    if (!file.closed) {
      const closed = new Promise<void>((resolve) => file.once('close', () => resolve()));
      file.destroy();
      await closed;
    }
    await rm(this.path, { force: true });
  }

  private forward(chunks: Buffer[], done: (error?: Error | null) => void): void {
    let ready = true;
    const file = this.file!;
    const progress = () => this.fileHash?.advance(file.bytesWritten);
    for (const chunk of chunks) ready = file.write(chunk, progress);
    if (ready) done();
    else this.file!.once('drain', () => done());
  }
}

function memorySpool(content: Buffer, md5: string): Spool {
  return {
    size: content.length,
    md5,
    location: 'memory',
    open(offset: number): Readable {
      function* slices(): Generator<Buffer> {
        for (let at = offset; at < content.length; at += READ_CHUNK) yield content.subarray(at, at + READ_CHUNK);
      }
      return Readable.from(slices(), { objectMode: false });
    },
    async dispose(): Promise<void> {},
  };
}

function fileSpool(path: string, size: number, md5: string): Spool {
  const open: Readable[] = [];
  return {
    size,
    md5,
    location: path,
    open(offset: number): Readable {
      if (offset >= size) return Readable.from([]);
      const stream = createReadStream(path, { start: offset, highWaterMark: READ_CHUNK });
      open.push(stream);
      return stream;
    },
    async dispose(): Promise<void> {
      for (const stream of open) stream.destroy();
      await rm(path, { force: true });
    },
  };
}

function isFsError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^E(NOSPC|ACCES|PERM|ROFS|NOENT|MFILE|IO|DQUOT|EXIST)$/.test(code);
}
