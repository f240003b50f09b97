import { createHash, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError, isStorageError } from '../../storage/errors.js';
import { BufferedSpoolWriter, bufferedReadStream } from './buffered-spool-file.js';
import { DirectSpoolWriter, directReadStream } from './direct-spool-file.js';
import { recordSpoolBytes } from '../../util/metrics.js';

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
  /** A file spool written past the page cache (O_DIRECT). */
  readonly direct: boolean;
  open(offset: number): Readable;
  dispose(): Promise<void>;
}

export interface SpoolOptions {
  memoryLimit: number;
  dir: string;
  /** Declared size: a body that is longer or shorter fails with INVALID_ARGUMENT. */
  expectedSize?: number;
  /** Write and read spool files with O_DIRECT where the filesystem allows (uploads.directIo). */
  directIo: boolean;
}

/** Read-back chunk of a memory spool. */
const READ_CHUNK = 1024 * 1024;
/** How much the sink takes in before it pushes back on the request body. */
const SINK_BUFFER = 1024 * 1024;

/** What a file spool is written through: past the page cache where possible, else through it. */
type SpoolFileWriter = DirectSpoolWriter | BufferedSpoolWriter;

async function createSpoolFile(dir: string, directIo: boolean): Promise<SpoolFileWriter> {
  const path = join(dir, `jottadav-spool-${randomUUID()}`);
  return (directIo ? await DirectSpoolWriter.create(dir, path) : undefined) ?? new BufferedSpoolWriter(path);
}

export async function spoolBody(body: Readable, options: SpoolOptions): Promise<Spool> {
  const expected = options.expectedSize;
  if (expected !== undefined && expected <= options.memoryLimit) return spoolSmall(body, expected);
  let size = 0;
  // Counts the bytes and checks the declared size as they pass on to the spool.
  const meter = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buf.length;
      recordSpoolBytes(buf.length);
      if (expected !== undefined && size > expected) {
        done(new StorageError('INVALID_ARGUMENT', `the body is longer than the declared ${expected} bytes`));
        return;
      }
      done(null, buf);
    },
  });
  // A body declared larger than the memory limit goes to the file from its first byte: held in
  // memory first, its chunks would outlive young-generation GCs and stay counted until a full one.
  const memoryLimit = expected !== undefined && expected > options.memoryLimit ? 0 : options.memoryLimit;
  const sink = new SpoolSink(memoryLimit, () => createSpoolFile(options.dir, options.directIo));
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
    recordSpoolBytes(-size);
    if (isStorageError(error)) throw error;
    throw new StorageError('UNAVAILABLE', 'the upload spool could not be hashed', { cause: error });
  }
  if (sink.file) return fileSpool(sink.file, size, md5);
  return memorySpool(Buffer.concat(sink.held, size), md5);
}

/**
 * A body declared small enough for memory, read without a stream pipeline: each chunk is counted,
 * hashed and held as it arrives. For a 4 KiB PUT the pipeline, its Transform and its sink cost
 * more CPU than the hashing (each pipeline ends by aborting an AbortController, which creates a
 * DOMException with a stack trace). The rules are the pipeline's: a body longer or shorter than
 * declared is INVALID_ARGUMENT (a longer one is destroyed, as the pipeline did), one that fails or
 * closes before its end is ABORTED.
 */
function spoolSmall(body: Readable, expected: number): Promise<Spool> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    const held: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: StorageError) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (!error) {
        resolve(memorySpool(held.length === 1 ? held[0]! : Buffer.concat(held, size), hash.digest('hex')));
        return;
      }
      recordSpoolBytes(-size);
      reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      size += buf.length;
      recordSpoolBytes(buf.length);
      if (size > expected) {
        body.destroy();
        settle(new StorageError('INVALID_ARGUMENT', `the body is longer than the declared ${expected} bytes`));
        return;
      }
      held.push(buf);
      hash.update(buf);
    };
    const onEnd = () => settle(size === expected ? undefined : new StorageError('INVALID_ARGUMENT', `the body has ${size} bytes, ${expected} were declared`));
    const onError = (error: unknown) => settle(new StorageError('ABORTED', 'the request body ended early', { cause: error }));
    const onClose = () => settle(new StorageError('ABORTED', 'the request body was aborted'));
    if (body.destroyed || body.readableAborted) {
      settle(new StorageError('ABORTED', 'the request body was aborted'));
      return;
    }
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}

/**
 * Holds the body in memory up to `memoryLimit` bytes, hashing it as it comes, then moves it to a
 * spool file (direct-spool-file.ts or buffered-spool-file.ts), which hashes it on another core.
 */
class SpoolSink extends Writable {
  held: Buffer[] = [];
  file: SpoolFileWriter | undefined;
  private heldBytes = 0;
  private readonly memoryHash = createHash('md5');
  /** The file being made: discard() must wait for it, or a file made after a failure would stay. */
  private opening: Promise<SpoolFileWriter> | undefined;

  constructor(
    private readonly memoryLimit: number,
    private readonly createFile: () => Promise<SpoolFileWriter>,
  ) {
    super({ highWaterMark: SINK_BUFFER });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.file) {
      this.file.write([chunk]).then(() => done(), done);
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes <= this.memoryLimit) {
      this.memoryHash.update(chunk);
      return done();
    }
    // From here the file is hashed from its first byte; the memory hash is dropped.
    this.opening = this.createFile();
    this.opening
      .then((file) => {
        this.file = file;
        const held = this.held;
        this.held = [];
        return file.write(held);
      })
      .then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    if (!this.file) return done();
    this.file.end().then(() => done(), done);
  }

  /** The MD5 of all `size` bytes, once the body is complete. */
  digest(size: number): Promise<string> {
    if (this.file) return this.file.digest(size);
    return Promise.resolve(this.memoryHash.digest('hex'));
  }

  /** Drops what was spooled, the file included. */
  async discard(): Promise<void> {
    this.held = [];
    const file = this.file ?? (await this.opening?.catch(() => undefined));
    await file?.discard();
  }
}

function memorySpool(content: Buffer, md5: string): Spool {
  // Counted in the spool metric until the first dispose (dispose may be called again).
  let held = content.length;
  return {
    size: content.length,
    md5,
    location: 'memory',
    direct: false,
    open(offset: number): Readable {
      function* slices(): Generator<Buffer> {
        for (let at = offset; at < content.length; at += READ_CHUNK) yield content.subarray(at, at + READ_CHUNK);
      }
      return Readable.from(slices(), { objectMode: false });
    },
    async dispose(): Promise<void> {
      recordSpoolBytes(-held);
      held = 0;
    },
  };
}

function fileSpool(file: SpoolFileWriter, size: number, md5: string): Spool {
  const open: Readable[] = [];
  let held = size;
  const direct = file instanceof DirectSpoolWriter;
  return {
    size,
    md5,
    location: file.path,
    direct,
    open(offset: number): Readable {
      if (offset >= size) return Readable.from([]);
      const stream = direct ? directReadStream(file.path, offset, size) : bufferedReadStream(file.path, offset);
      open.push(stream);
      return stream;
    },
    async dispose(): Promise<void> {
      for (const stream of open) stream.destroy();
      recordSpoolBytes(-held);
      held = 0;
      await rm(file.path, { force: true });
    },
  };
}

function isFsError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^E(NOSPC|ACCES|PERM|ROFS|NOENT|MFILE|IO|DQUOT|EXIST)$/.test(code);
}
