/**
 * Worker thread that computes the MD5 of spool files while they are being written (see
 * hash-worker-client.ts), in one of two ways:
 * - a file job reads the file behind its writer, up to the byte count the main thread reports as
 *   written, from the page cache (buffered spools);
 * - a shared job hashes slots of memory shared with the main thread, in the order they are sent,
 *   and answers each once hashed so that the slot can be reused (direct-I/O spools, which keep no
 *   page cache to read back from).
 * Either way the body's bytes are never copied between threads.
 *
 * Messages in: `open {id, path}` or `openShared {id, memory}`, `upTo {id, bytes}`,
 * `slot {id, offset, length}`, `end {id, size}`, `cancel {id}`.
 * Messages out: `{id, slot}` per hashed slot, `{id, md5}` once `size` bytes are hashed, or `{id, error}`.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';

export type HashRequest =
  | { op: 'open'; id: number; path: string }
  | { op: 'openShared'; id: number; memory: SharedArrayBuffer }
  | { op: 'upTo'; id: number; bytes: number }
  | { op: 'slot'; id: number; offset: number; length: number }
  | { op: 'end'; id: number; size: number }
  | { op: 'cancel'; id: number };

export type HashReply = { id: number; md5: string } | { id: number; slot: number } | { id: number; error: string };

/** Read size: large reads keep the syscall count low; one buffer per job, reused. */
const READ_BYTES = 4 * 1024 * 1024;

interface Job {
  file: Promise<FileHandle>;
  hash: Hash;
  buffer: Buffer;
  hashed: number;
  written: number;
  size?: number;
  running: boolean;
}

interface SharedJob {
  memory: SharedArrayBuffer;
  hash: Hash;
  hashed: number;
}

const jobs = new Map<number, Job>();
const sharedJobs = new Map<number, SharedJob>();
const port = parentPort;

function reply(message: HashReply): void {
  port?.postMessage(message);
}

function close(id: number, job: Job): void {
  jobs.delete(id);
  job.file.then((handle) => handle.close()).catch(() => undefined);
}

async function pump(id: number, job: Job): Promise<void> {
  if (job.running) return; // the loop already under way picks up the new bytes
  job.running = true;
  try {
    const handle = await job.file;
    while (jobs.get(id) === job && job.hashed < job.written) {
      const want = Math.min(READ_BYTES, job.written - job.hashed);
      const { bytesRead } = await handle.read(job.buffer, 0, want, job.hashed);
      if (bytesRead === 0) throw new Error(`the spool file ends at ${job.hashed} bytes, ${job.written} were written`);
      job.hash.update(job.buffer.subarray(0, bytesRead));
      job.hashed += bytesRead;
    }
    // Checked synchronously after the last await: no message can slip in between.
    if (jobs.get(id) === job && job.size !== undefined && job.hashed === job.size) {
      close(id, job);
      reply({ id, md5: job.hash.digest('hex') });
    }
  } catch (error) {
    if (jobs.get(id) === job) {
      close(id, job);
      reply({ id, error: error instanceof Error ? error.message : String(error) });
    }
  } finally {
    job.running = false;
  }
}

function onShared(message: HashRequest, job: SharedJob): void {
  switch (message.op) {
    case 'slot':
      job.hash.update(new Uint8Array(job.memory, message.offset, message.length));
      job.hashed += message.length;
      reply({ id: message.id, slot: message.offset });
      return;
    case 'end':
      sharedJobs.delete(message.id);
      if (job.hashed === message.size) reply({ id: message.id, md5: job.hash.digest('hex') });
      else reply({ id: message.id, error: `${job.hashed} bytes were hashed, ${message.size} were written` });
      return;
    case 'cancel':
      sharedJobs.delete(message.id);
      return;
    default:
      return;
  }
}

port?.on('message', (message: HashRequest) => {
  if (message.op === 'openShared') {
    sharedJobs.set(message.id, { memory: message.memory, hash: createHash('md5'), hashed: 0 });
    return;
  }
  const shared = sharedJobs.get(message.id);
  if (shared) return onShared(message, shared);
  if (message.op === 'open') {
    const file = open(message.path, 'r');
    file.catch(() => undefined); // reported by pump
    jobs.set(message.id, { file, hash: createHash('md5'), buffer: Buffer.allocUnsafe(READ_BYTES), hashed: 0, written: 0, running: false });
    return;
  }
  const job = jobs.get(message.id);
  if (!job) return;
  switch (message.op) {
    case 'upTo':
      job.written = Math.max(job.written, message.bytes);
      break;
    case 'end':
      job.written = message.size;
      job.size = message.size;
      break;
    case 'cancel':
      close(message.id, job);
      return;
    default:
      return;
  }
  void pump(message.id, job);
});
