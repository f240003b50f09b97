/**
 * The main-thread side of the hash worker (hash-worker.ts): the MD5 of a spool, computed on
 * another core while the spool is still being written.
 *
 * Jottacloud needs the MD5 before the first byte of an upload (allocate asks for it), so a big
 * PUT costs receiving + hashing + uploading. Hashing on the request's thread serialises the first
 * two (MD5 runs at well under 1 GiB/s); a worker overlaps them, either trailing the writer of a
 * buffered spool file through the page cache (`trailingHash`) or hashing the aligned slots of a
 * direct-I/O spool in place (`slotHash`). One worker serves every upload of the process; it is
 * created on first use and keeps the process alive only while a job waits on it. If it fails,
 * the hash is computed here from the file instead: slower, never wrong.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-worker.js';

export interface TrailingHash {
  /** `bytes` of the file are written (and readable by another descriptor). */
  advance(bytes: number): void;
  /** The file is complete at `size` bytes: its MD5, hex. */
  finish(size: number): Promise<string>;
  /** The spool is dropped: stop hashing it. */
  cancel(): void;
}

/** Progress is reported in steps of at least this much: one message per write would be wasteful. */
const REPORT_STEP = 2 * 1024 * 1024;

interface Pending {
  worker: Worker;
  resolve(md5: string): void;
  reject(error: Error): void;
  /** Shared jobs: a slot was hashed. */
  slot?(offset: number): void;
}

let worker: Worker | undefined;
let nextId = 1;
/**
 * Jobs awaiting the worker. While there are any, the worker keeps the process alive (a shutdown
 * waits for an upload's MD5); when there are none it does not.
 */
const pending = new (class extends Map<number, Pending> {
  override set(id: number, job: Pending): this {
    super.set(id, job);
    job.worker.ref();
    return this;
  }
  override delete(id: number): boolean {
    const job = this.get(id);
    const removed = super.delete(id);
    if (job && ![...this.values()].some((other) => other.worker === job.worker)) job.worker.unref();
    return removed;
  }
})();

/** Rejects the jobs of one worker (a replacement may already serve newer jobs). */
function failAll(of: Worker, error: Error): void {
  for (const [id, job] of pending) {
    if (job.worker !== of) continue;
    pending.delete(id);
    job.reject(error);
  }
}

function hashWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./hash-worker.js', import.meta.url));
  started.on('message', (message: HashReply) => {
    const job = pending.get(message.id);
    if (!job) return;
    if ('slot' in message) return job.slot?.(message.slot);
    pending.delete(message.id);
    if ('md5' in message) job.resolve(message.md5);
    else job.reject(new Error(message.error));
  });
  started.on('error', (error) => failAll(started, error));
  started.on('exit', () => {
    if (worker === started) worker = undefined;
    failAll(started, new Error('the hash worker stopped'));
  });
  // After the listeners: adding a 'message' listener refs the worker's port again.
  started.unref();
  worker = started;
  return started;
}

function send(target: Worker, message: HashRequest): void {
  target.postMessage(message);
}

/** The MD5 of a whole file, read on this thread (the fallback). */
async function hashFile(path: string, size: number): Promise<string> {
  const hash = createHash('md5');
  let seen = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    seen += (chunk as Buffer).length;
  }
  if (seen !== size) throw new Error(`the spool file has ${seen} bytes, ${size} were written`);
  return hash.digest('hex');
}

/** A job on the worker, as both kinds of spool use it. */
interface Job {
  /** Sends to the worker that took the job; false when it is gone. */
  post(message: HashRequest): boolean;
  /** Ends the job at `size` bytes: the worker's MD5, or the file's hashed here if the worker failed. */
  finish(size: number): Promise<string>;
  cancel(): void;
}

/**
 * Registers job `id` and opens it on the worker with `open`. `lost` runs when the worker can no
 * longer serve the job (it failed, or could not be started); `slot` receives slot replies.
 */
function startJob(path: string, open: (id: number) => HashRequest, hooks: { lost?(): void; slot?(offset: number): void } = {}): Job & { id: number } {
  const id = nextId++;
  let target: Worker | undefined;
  let result: Promise<string>;
  try {
    const chosen = hashWorker();
    result = new Promise<string>((resolve, reject) =>
      pending.set(id, {
        worker: chosen,
        resolve,
        reject: (error) => {
          hooks.lost?.();
          reject(error);
        },
        ...(hooks.slot ? { slot: hooks.slot } : {}),
      }),
    );
    send(chosen, open(id));
    target = chosen;
  } catch (error) {
    hooks.lost?.();
    result = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  result.catch(() => undefined); // awaited (with the fallback) by finish(); a cancelled job is never awaited
  const post = (message: HashRequest): boolean => {
    try {
      if (target && worker === target) {
        send(target, message);
        return true;
      }
    } catch {
      // the worker is gone: finish() falls back to hashing the file here
    }
    return false;
  };
  return {
    id,
    post,
    async finish(size) {
      if (post({ op: 'end', id, size })) {
        try {
          return await result;
        } catch {
          // fall through to the file
        }
      }
      pending.delete(id);
      return hashFile(path, size);
    },
    cancel() {
      pending.delete(id);
      post({ op: 'cancel', id });
    },
  };
}

export function trailingHash(path: string): TrailingHash {
  const job = startJob(path, (id) => ({ op: 'open', id, path }));
  let reported = 0;
  return {
    advance(bytes) {
      if (bytes - reported < REPORT_STEP) return;
      reported = bytes;
      job.post({ op: 'upTo', id: job.id, bytes });
    },
    finish: (size) => job.finish(size),
    cancel: () => job.cancel(),
  };
}

export interface SlotHash {
  /** Hashes `length` bytes at `offset` of the shared memory, after the slots added before; resolves once the slot may be reused. */
  add(offset: number, length: number): Promise<void>;
  /** All `size` bytes were added: their MD5, hex. */
  finish(size: number): Promise<string>;
  cancel(): void;
}

/**
 * The MD5 of a body that passes through slots of `memory` on its way to the file at `path`
 * (direct-I/O spools). If the worker fails, every slot is released and `finish` hashes the file.
 */
export function slotHash(memory: SharedArrayBuffer, path: string): SlotHash {
  const waiting = new Map<number, () => void>();
  let lost = false;
  const releaseAll = () => {
    lost = true;
    for (const release of waiting.values()) release();
    waiting.clear();
  };
  const job = startJob(path, (id) => ({ op: 'openShared', id, memory }), {
    lost: releaseAll,
    slot: (offset) => {
      const release = waiting.get(offset);
      waiting.delete(offset);
      release?.();
    },
  });
  return {
    add(offset, length) {
      if (lost) return Promise.resolve();
      const released = new Promise<void>((resolve) => waiting.set(offset, resolve));
      if (!job.post({ op: 'slot', id: job.id, offset, length })) releaseAll();
      return released;
    },
    finish: (size) => job.finish(size),
    cancel() {
      job.cancel();
      releaseAll();
    },
  };
}

/** Stops the shared worker (specs use it to check the fallback; a new one starts on next use). */
export async function stopHashWorker(): Promise<void> {
  const current = worker;
  worker = undefined;
  if (current) await current.terminate();
}
