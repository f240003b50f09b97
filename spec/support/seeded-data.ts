/**
 * Seeded test data for specs and benches: the same seed gives the same bytes on every run and
 * machine, different seeds give different bytes (so the service never deduplicates one upload
 * against another by accident). Small and medium buffers come from lib/util/seeded-random.ts;
 * streams of any size (a benchmark's gigabyte) from an AES-CTR keystream, which is fast enough
 * to not be what a bench measures.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { seededRandom } from '../../lib/util/seeded-random.js';

/** `size` pseudo-random bytes drawn from `seed`. */
export function seededBytes(size: number, seed = 1): Buffer {
  const random = seededRandom(seed);
  const out = Buffer.alloc(size);
  let i = 0;
  for (; i + 4 <= size; i += 4) out.writeUInt32LE(Math.floor(random() * 0x1_0000_0000), i);
  for (; i < size; i++) out[i] = Math.floor(random() * 256);
  return out;
}

const BLOCK = 256 * 1024;
const ZEROS = Buffer.alloc(BLOCK);

/**
 * `size` bytes of an AES-256-CTR keystream keyed by `seed`, as a stream: incompressible,
 * different per seed, identical on every pass (so the MD5 can be computed first and the content
 * checked after), never held whole, and gigabytes per second to make.
 */
export function seededStream(seed: string, size: number): Readable {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  let sent = 0;
  return new Readable({
    highWaterMark: BLOCK,
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(BLOCK, size - sent);
      sent += n;
      this.push(cipher.update(n === BLOCK ? ZEROS : ZEROS.subarray(0, n)));
    },
  });
}
