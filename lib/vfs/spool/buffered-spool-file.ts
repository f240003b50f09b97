/**
 * A spool file written through the page cache: the fallback where O_DIRECT is not available
 * (tmpfs, some overlays; see direct-spool-file.ts) or turned off. Streams through a buffered
 * WriteStream (no await per 64 KiB chunk) and is hashed by the worker trailing the writer.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { trailingHash, type TrailingHash } from './hash-worker-client.js';

/** The spool buffers this much before `write` pushes back, and flushes it in one writev. */
const WRITE_BUFFER = 1024 * 1024;
/** Read-back chunk: uploads are sent in large pieces (64 KiB cost a syscall per piece). */
const READ_CHUNK = 1024 * 1024;

export class BufferedSpoolWriter {
  private readonly file: WriteStream;
  private readonly hash: TrailingHash;
  private failure: Error | undefined;

  constructor(readonly path: string) {
    this.file = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: WRITE_BUFFER });
    this.file.on('error', (error) => {
      this.failure ??= error;
    });
    this.hash = trailingHash(path);
  }

  async write(chunks: readonly Buffer[]): Promise<void> {
    if (this.failure) throw this.failure;
    const file = this.file;
    const progress = () => this.hash.advance(file.bytesWritten);
    let ready = true;
    for (const chunk of chunks) ready = file.write(chunk, progress);
    if (!ready) await once(file, 'drain'); // rejects on 'error'
  }

  /** Flushes and closes the file. */
  async end(): Promise<void> {
    if (!this.file.closed) {
      const closed = once(this.file, 'close');
      this.file.end();
      await closed.catch(() => undefined); // an error is in `failure`
    }
    if (this.failure) throw this.failure;
  }

  digest(size: number): Promise<string> {
    return this.hash.finish(size);
  }

  /** Drops the file; waits for the descriptor to close so that nothing is left behind. */
  async discard(): Promise<void> {
    this.hash.cancel();
    if (!this.file.closed) {
      const closed = once(this.file, 'close').catch(() => undefined);
      this.file.destroy();
      await closed;
    }
    await rm(this.path, { force: true });
  }
}

export function bufferedReadStream(path: string, start: number): Readable {
  return createReadStream(path, { start, highWaterMark: READ_CHUNK });
}
