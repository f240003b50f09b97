/** Small helpers shared by the jottacloud specs: bodies, stream collection. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { UploadBody } from '../../lib/storage/backend.js';

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** An UploadBody over a buffer that records every offset it was opened at. */
export function bufferBody(data: Buffer | string, modified?: Date, created?: Date): UploadBody & { opens: number[] } {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const opens: number[] = [];
  return {
    size: buf.length,
    md5: md5Hex(buf),
    modified,
    created,
    opens,
    open(offset: number) {
      opens.push(offset);
      // Several chunks, so that a cut connection really happens mid-body.
      const chunks: Buffer[] = [];
      for (let i = offset; i < buf.length; i += 16 * 1024) chunks.push(buf.subarray(i, Math.min(buf.length, i + 16 * 1024)));
      return Readable.from(chunks);
    },
  };
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** Deterministic pseudo-random bytes (no RNG state shared between specs). */
export function pattern(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}
