import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StorageError, isStorageError } from '../storage/errors.js';

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

const READ_CHUNK = 64 * 1024;

export async function spoolBody(body: Readable, options: SpoolOptions): Promise<Spool> {
  const hash = createHash('md5');
  const chunks: Buffer[] = [];
  let size = 0;
  let file: { path: string; handle: FileHandle } | undefined;
  const expected = options.expectedSize;
  try {
    try {
      for await (const chunk of body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        size += buf.length;
        if (expected !== undefined && size > expected) {
          throw new StorageError('INVALID_ARGUMENT', `the body is longer than the declared ${expected} bytes`);
        }
        hash.update(buf);
        if (!file && size > options.memoryLimit) {
          const path = join(options.dir, `jottadav-spool-${randomUUID()}`);
          file = { path, handle: await open(path, 'wx', 0o600) };
          for (const held of chunks) await file.handle.write(held);
          chunks.length = 0;
        }
        if (file) await file.handle.write(buf);
        else chunks.push(buf);
      }
    } catch (error) {
      if (isStorageError(error)) throw error;
      if (isFsError(error)) throw new StorageError('UNAVAILABLE', 'the upload spool could not be written', { cause: error });
      throw new StorageError('ABORTED', 'the request body ended early', { cause: error });
    }
    if (body.readableAborted) throw new StorageError('ABORTED', 'the request body was aborted');
    if (expected !== undefined && size !== expected) {
      throw new StorageError('INVALID_ARGUMENT', `the body has ${size} bytes, ${expected} were declared`);
    }
    if (file) await file.handle.close();
  } catch (error) {
    if (file) {
      await file.handle.close().catch(() => undefined);
      await rm(file.path, { force: true });
    }
    throw error;
  }
  const md5 = hash.digest('hex');
  if (file) return fileSpool(file.path, size, md5);
  return memorySpool(Buffer.concat(chunks, size), md5);
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
