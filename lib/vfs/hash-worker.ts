/**
 * Worker thread that computes the MD5 of spool files while they are being written (see
 * trailing-hash.ts). It reads each file behind its writer, up to the byte count the main thread
 * reports as written, so the body's bytes never cross threads: they come back from the page cache.
 *
 * Messages in: `open {id, path}`, `upTo {id, bytes}`, `end {id, size}`, `cancel {id}`.
 * Messages out: `{id, md5}` once `size` bytes are hashed, or `{id, error}`.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';

export type HashRequest =
  | { op: 'open'; id: number; path: string }
  | { op: 'upTo'; id: number; bytes: number }
  | { op: 'end'; id: number; size: number }
  | { op: 'cancel'; id: number };

export type HashReply = { id: number; md5: string } | { id: number; error: string };

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

const jobs = new Map<number, Job>();
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

port?.on('message', (message: HashRequest) => {
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
  }
  void pump(message.id, job);
});
