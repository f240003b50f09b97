/**
 * The upload spool streams to disk (no await per 64 KiB write) and reads back in 1 MiB chunks
 * (the bridge benchmark's big PUT found both): chunk counts, content and MD5, and no file left
 * behind on any failure. A file spool is hashed by a worker trailing the writer; its MD5 must be
 * right for concurrent spools and when the worker dies.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { spoolBody } from '../../lib/vfs/spool/spool.js';
import { stopHashWorker } from '../../lib/vfs/spool/hash-worker-client.js';
import { code } from './helpers.js';

const MiB = 1024 * 1024;

function pattern(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + (i >> 12)) & 0xff;
  return out;
}

/** The content in 64 KiB pieces, as an HTTP request body arrives; optionally failing after `failAt`. */
function pieces(content: Buffer, failAt?: number): Readable {
  function* gen(): Generator<Buffer> {
    for (let at = 0; at < content.length; at += 64 * 1024) {
      if (failAt !== undefined && at >= failAt) throw new Error('client went away');
      yield content.subarray(at, at + 64 * 1024);
    }
  }
  return Readable.from(gen(), { objectMode: false });
}

async function chunksOf(stream: Readable): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of stream) out.push(chunk as Buffer);
  return out;
}

/** Whether `dir` takes O_DIRECT, asked here independently of the code under test. */
async function takesDirectIo(dir: string): Promise<boolean> {
  const path = join(dir, 'probe');
  const Memory = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer } } }).WebAssembly.Memory;
  const aligned = Buffer.from(new Memory({ initial: 1, maximum: 1, shared: true }).buffer);
  try {
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT, 0o600);
    try {
      await handle.write(aligned, 0, 4096, 0);
      return true;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  } finally {
    await rm(path, { force: true });
  }
}

for (const directIo of [true, false]) describe(`upload spool (directIo ${directIo}): streamed to disk, read back in 1 MiB chunks`, () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spool-spec-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a 5 MiB body beyond the memory limit goes to one file, hashes right and reads back in 1 MiB chunks from any offset', async () => {
    const content = pattern(5 * MiB + 1001); // not a whole number of blocks: the last one is padded and cut back
    const spool = await spoolBody(pieces(content), { directIo, memoryLimit: MiB, dir, expectedSize: content.length });
    try {
      assert.notEqual(spool.location, 'memory');
      assert.equal(spool.direct, directIo && (await takesDirectIo(dir)));
      assert.deepEqual(await readdir(dir), [spool.location.slice(dir.length + 1)]);
      assert.equal(spool.size, content.length);
      assert.equal(spool.md5, createHash('md5').update(content).digest('hex'));
      const chunks = await chunksOf(spool.open(0));
      assert.equal(chunks.length, 6);
      assert.ok(Buffer.concat(chunks).equals(content));
      // Resumes start anywhere: unaligned offsets, the last bytes, the end.
      for (const offset of [3 * MiB + 7, 4095, 4097, content.length - 1]) {
        const tail = Buffer.concat(await chunksOf(spool.open(offset)));
        assert.ok(tail.equals(content.subarray(offset)), `read back from ${offset}`);
      }
      assert.equal((await chunksOf(spool.open(content.length))).length, 0);
    } finally {
      await spool.dispose();
    }
    assert.deepEqual(await readdir(dir), []);
  });

  it('a body within the limit stays in memory and reads back in 1 MiB chunks', async () => {
    const content = pattern(2 * MiB + 5);
    const spool = await spoolBody(pieces(content), { directIo, memoryLimit: 4 * MiB, dir });
    assert.equal(spool.location, 'memory');
    const chunks = await chunksOf(spool.open(0));
    assert.deepEqual(chunks.map((c) => c.length), [MiB, MiB, 5]);
    assert.ok(Buffer.concat(chunks).equals(content));
    assert.deepEqual(await readdir(dir), []);
  });

  it('a body declared beyond the limit goes to its file from the first chunk, not after the limit is held in memory', async () => {
    const content = pattern(3 * MiB);
    const body = new PassThrough();
    const spooled = spoolBody(body, { directIo, memoryLimit: 2 * MiB, dir, expectedSize: content.length });
    body.write(content.subarray(0, 64 * 1024));
    for (let tries = 0; (await readdir(dir)).length === 0; tries++) {
      assert.ok(tries < 200, 'no spool file while the first 64 KiB of a body declared beyond the limit were in');
      await new Promise((r) => setTimeout(r, 10));
    }
    body.end(content.subarray(64 * 1024));
    const spool = await spooled;
    try {
      assert.notEqual(spool.location, 'memory');
      assert.equal(spool.md5, createHash('md5').update(content).digest('hex'));
      assert.ok(Buffer.concat(await chunksOf(spool.open(0))).equals(content));
    } finally {
      await spool.dispose();
    }
  });

  it('a body that fails after it went to disk is ABORTED and leaves no file', async () => {
    await assert.rejects(spoolBody(pieces(pattern(4 * MiB), 3 * MiB), { directIo, memoryLimit: MiB, dir }), code('ABORTED'));
    assert.deepEqual(await readdir(dir), []);
  });

  it('a body longer or shorter than declared is INVALID_ARGUMENT and leaves no file', async () => {
    await assert.rejects(spoolBody(pieces(pattern(3 * MiB)), { directIo, memoryLimit: MiB, dir, expectedSize: 2 * MiB }), code('INVALID_ARGUMENT'));
    await assert.rejects(spoolBody(pieces(pattern(3 * MiB)), { directIo, memoryLimit: MiB, dir, expectedSize: 4 * MiB }), code('INVALID_ARGUMENT'));
    assert.deepEqual(await readdir(dir), []);
  });

  it('a spool dir that cannot be written is UNAVAILABLE', async () => {
    await assert.rejects(spoolBody(pieces(pattern(2 * MiB)), { directIo, memoryLimit: MiB, dir: join(dir, 'missing') }), code('UNAVAILABLE'));
    assert.deepEqual(await readdir(dir), []);
  });

  it('several bodies spooled to disk at once each get their own MD5 (one hash worker trails them all)', async () => {
    const contents = [pattern(9 * MiB + 3), pattern(5 * MiB).reverse(), pattern(13 * MiB + 1).subarray(7)];
    const spools = await Promise.all(contents.map((content) => spoolBody(pieces(content), { directIo, memoryLimit: MiB, dir, expectedSize: content.length })));
    try {
      spools.forEach((spool, i) => {
        assert.notEqual(spool.location, 'memory');
        assert.equal(spool.md5, createHash('md5').update(contents[i]!).digest('hex'));
      });
    } finally {
      await Promise.all(spools.map((spool) => spool.dispose()));
    }
    assert.deepEqual(await readdir(dir), []);
  });

  it('the MD5 is still right when the hash worker dies mid-body (hashed here from the file instead)', async () => {
    const content = pattern(12 * MiB);
    let sent = 0;
    // The worker is stopped once the body is well under way, after it has started hashing the file.
    const body = pieces(content).on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent === 6 * MiB) void stopHashWorker();
    });
    const spool = await spoolBody(body, { directIo, memoryLimit: MiB, dir, expectedSize: content.length });
    try {
      assert.equal(spool.md5, createHash('md5').update(content).digest('hex'));
    } finally {
      await spool.dispose();
    }
    // And the next spool starts a new worker.
    const next = pattern(3 * MiB).reverse();
    const again = await spoolBody(pieces(next), { directIo, memoryLimit: MiB, dir });
    assert.equal(again.md5, createHash('md5').update(next).digest('hex'));
    await again.dispose();
  });

  it('a body aborted while the worker hashes it leaves no file and does not disturb the next spool', async () => {
    await assert.rejects(spoolBody(pieces(pattern(8 * MiB), 6 * MiB), { directIo, memoryLimit: MiB, dir }), code('ABORTED'));
    const next = pattern(4 * MiB);
    const spool = await spoolBody(pieces(next), { directIo, memoryLimit: MiB, dir });
    assert.equal(spool.md5, createHash('md5').update(next).digest('hex'));
    await spool.dispose();
    assert.deepEqual(await readdir(dir), []);
  });

  it('readers abandoned mid-way (an upload cut) do not disturb the readers that follow', async () => {
    const first = pattern(6 * MiB);
    const second = pattern(6 * MiB + 3).reverse();
    const spools = [
      await spoolBody(pieces(first), { directIo, memoryLimit: MiB, dir }),
      await spoolBody(pieces(second), { directIo, memoryLimit: MiB, dir }),
    ];
    try {
      for (let round = 0; round < 4; round++) {
        const cut = spools[0]!.open(round * 1000);
        const closed = new Promise((resolve) => cut.once('close', resolve));
        cut.once('data', () => cut.destroy()); // destroyed while its next read may be under way
        const whole = Buffer.concat(await chunksOf(spools[1]!.open(round)));
        assert.ok(whole.equals(second.subarray(round)), `round ${round}`);
        await closed;
      }
    } finally {
      await Promise.all(spools.map((spool) => spool.dispose()));
    }
    assert.deepEqual(await readdir(dir), []);
  });

  it('an already destroyed body is ABORTED', async () => {
    const body = pieces(pattern(MiB));
    body.destroy();
    await assert.rejects(spoolBody(body, { directIo, memoryLimit: MiB, dir }), code('ABORTED'));
  });
});
