/** Small helpers shared by the jottacloud specs: bodies, stream collection. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { UploadBody } from '../../lib/storage/backend.js';
import { seededBytes } from '../support/seeded-data.js';

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
export const pattern = seededBytes;

export function wholeSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}
