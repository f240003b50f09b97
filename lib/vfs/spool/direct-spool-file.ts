/**
 * A spool file written and read with O_DIRECT, past the page cache.
 *
 * A buffered spool of a 1 GiB upload puts 1 GiB into the page cache, and keeps it there while the
 * upload runs: memory the machine has to find (in a container it counts against the memory limit;
 * on this project's VMs freshly found memory is slow to fault in, and the bridge bench measured
 * the service side of the upload at half speed while the spool held it). The spool is written
 * once and read once, so a cache buys nothing. With O_DIRECT the body passes through a few MiB of
 * aligned slots instead, which the hash worker reads in place (shared memory, no copy).
 *
 * O_DIRECT wants the memory, the file offset and the length aligned to the device's block: the
 * slots live in a WebAssembly memory (page-aligned; Node gives no other aligned allocation), every
 * write but the last is a whole slot, and the last is padded to the block and cut back with
 * ftruncate. Filesystems without O_DIRECT (tmpfs, some overlays) are detected when the file is
 * made, and the caller falls back to a buffered file.
 */
import { constants } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { slotHash, type SlotHash } from './hash-worker-client.js';

/** Block alignment that satisfies every common device (512-byte and 4 KiB sectors). */
const ALIGN = 4096;
/** Small slots: each concurrent upload holds SLOTS of them, and the pool keeps a few warm. */
const SLOT_BYTES = 1024 * 1024;
/** Slots in flight: one filling, the others being written and hashed. */
const SLOTS = 4;
/** Read-back block: the upload is sent in pieces of this size. */
const READ_BYTES = 1024 * 1024;
const WASM_PAGE = 64 * 1024;

interface AlignedMemory {
  shared: SharedArrayBuffer;
  view: Buffer;
}

type WasmMemoryConstructor = new (descriptor: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer };

/** Page-aligned memory, shareable with a worker. */
function alignedMemory(bytes: number): AlignedMemory {
  const Memory = (globalThis as unknown as { WebAssembly: { Memory: WasmMemoryConstructor } }).WebAssembly.Memory;
  const pages = Math.ceil(bytes / WASM_PAGE);
  const shared = new Memory({ initial: pages, maximum: pages, shared: true }).buffer;
  return { shared, view: Buffer.from(shared) };
}

/**
 * Aligned memory kept for reuse: an upload takes its slots from here and gives them back, so the
 * process allocates them once (and they stay warm) instead of once per upload.
 */
class MemoryPool {
  private readonly idle: AlignedMemory[] = [];

  constructor(
    private readonly bytes: number,
    private readonly keep: number,
  ) {}

  take(): AlignedMemory {
    return this.idle.pop() ?? alignedMemory(this.bytes);
  }

  give(memory: AlignedMemory): void {
    if (this.idle.length < this.keep) this.idle.push(memory);
  }
}

/**
 * Slots are kept for up to 8 uploads at once (32 MiB). A set of slots the pool drops is not freed
 * when the main thread lets go of it: the hash worker's isolate holds it too, and that isolate
 * allocates so little that it seldom collects. The bridge bench saw 14 such 4 MiB sets resident
 * after 24 PUTs of 20 MiB, 4 at a time, with 2 kept; reused, the 4 sets stay the only ones.
 */
const slotMemory = new MemoryPool(SLOT_BYTES * SLOTS, 8);
const readMemory = new MemoryPool(READ_BYTES, 4);

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;
const isUnsupported = (error: unknown) => (error as { code?: unknown })?.code === 'EINVAL';

/** Directories whose filesystem refused O_DIRECT: not asked again. */
const refusing = new Set<string>();

export class DirectSpoolWriter {
  private readonly hash: SlotHash;
  private readonly busy: Promise<void>[] = [];
  private current = 0;
  private fill = 0;
  private position = 0;
  private failure: Error | undefined;
  private released = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly memory: AlignedMemory,
  ) {
    this.hash = slotHash(memory.shared, path);
  }

  /** A new file at `path` (which must not exist) in `dir`; undefined where O_DIRECT is not available. */
  static async create(dir: string, path: string): Promise<DirectSpoolWriter | undefined> {
    if (refusing.has(dir) || constants.O_DIRECT === undefined) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT, 0o600);
    } catch (error) {
      if (!isUnsupported(error)) throw error;
      refusing.add(dir);
      return undefined;
    }
    const memory = slotMemory.take();
    try {
      // Some filesystems accept the flag and refuse the first write instead: one aligned block tells.
      await handle.write(memory.view, 0, ALIGN, 0);
    } catch (error) {
      slotMemory.give(memory);
      await handle.close().catch(() => undefined);
      await rm(path, { force: true });
      if (!isUnsupported(error)) throw error;
      refusing.add(dir);
      return undefined;
    }
    return new DirectSpoolWriter(path, handle, memory);
  }

  /** Copies the chunks into the slots; resolves once they are taken (backpressure: a slot is free). */
  async write(chunks: readonly Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length; ) {
        await this.busy[this.current];
        if (this.failure) throw this.failure;
        const n = Math.min(SLOT_BYTES - this.fill, chunk.length - at);
        chunk.copy(this.memory.view, this.current * SLOT_BYTES + this.fill, at, at + n);
        this.fill += n;
        at += n;
        if (this.fill === SLOT_BYTES) this.flush();
      }
    }
  }

  /** Writes what is left and closes the file at its exact size. */
  async end(): Promise<void> {
    if (this.fill > 0) this.flush();
    await Promise.all(this.busy);
    this.release();
    if (this.failure) throw this.failure;
    await this.handle.truncate(this.position); // drops the padding of the last block
    await this.handle.close();
  }

  /** The MD5 of the `size` bytes written. */
  digest(size: number): Promise<string> {
    return this.hash.finish(size);
  }

  async discard(): Promise<void> {
    this.hash.cancel();
    await Promise.all(this.busy);
    this.release();
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }

  /** Gives the slots back once no write or hash uses them. */
  private release(): void {
    if (this.released) return;
    this.released = true;
    slotMemory.give(this.memory);
  }

  /** Sends the current slot to the disk and to the hash worker; it is free again once both are done. */
  private flush(): void {
    const offset = this.current * SLOT_BYTES;
    const length = this.fill;
    const written = this.handle.write(this.memory.view, offset, alignUp(length), this.position);
    const hashed = this.hash.add(offset, length);
    this.busy[this.current] = Promise.all([written, hashed]).then(
      () => undefined,
      (error: Error) => {
        this.failure ??= error;
      },
    );
    this.position += length;
    this.current = (this.current + 1) % SLOTS;
    this.fill = 0;
  }
}

/**
 * The bytes of a direct spool file from `start` to `size`, read past the page cache in aligned
 * blocks; each piece is copied out, so the consumer may keep it as long as it likes.
 */
export function directReadStream(path: string, start: number, size: number): Readable {
  let handle: FileHandle | undefined;
  let memory: AlignedMemory | undefined;
  /** The read under way: its memory and descriptor may be given back only after it. */
  let reading: Promise<void> | undefined;
  let position = start - (start % ALIGN);
  let skip = start % ALIGN;
  const next = async (): Promise<Buffer | null> => {
    if (position >= size) return null;
    memory ??= readMemory.take();
    handle ??= await open(path, constants.O_RDONLY | constants.O_DIRECT);
    const { bytesRead } = await handle.read(memory.view, 0, READ_BYTES, position);
    if (bytesRead === 0) throw new Error(`the spool file ends at ${position} bytes, ${size} were written`);
    const end = Math.min(bytesRead, size - position);
    const piece = Buffer.allocUnsafe(end - skip);
    memory.view.copy(piece, 0, skip, end);
    position += bytesRead;
    skip = 0;
    return piece;
  };
  return new Readable({
    highWaterMark: 2 * READ_BYTES,
    read() {
      reading = next().then(
        (piece) => {
          if (!this.destroyed) this.push(piece);
        },
        (error: Error) => {
          this.destroy(error);
        },
      );
    },
    destroy(error, done) {
      const settle = async () => {
        await reading;
        if (memory) readMemory.give(memory);
        memory = undefined;
        await handle?.close();
        handle = undefined;
      };
      settle().then(
        () => done(error),
        () => done(error),
      );
    },
  });
}
