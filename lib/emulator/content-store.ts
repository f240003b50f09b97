/**
 * File bodies on disk, content-addressed by md5+size (the service's dedup key), and the partial
 * bytes of upload sessions. Bodies are only ever streamed, never read whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

export function contentKey(md5: string, size: number): string {
  return `${md5.toLowerCase()}-${size}`;
}

export class ContentStore {
  readonly blobDir: string;
  readonly partDir: string;

  constructor(dataDir: string) {
    this.blobDir = join(dataDir, 'blobs');
    this.partDir = join(dataDir, 'uploads');
    mkdirSync(this.blobDir, { recursive: true });
    mkdirSync(this.partDir, { recursive: true });
  }

  blobPath(md5: string, size: number): string {
    return join(this.blobDir, contentKey(md5, size));
  }

  /** Whether the account holds this content (dedup). Empty content always exists. */
  has(md5: string, size: number): boolean {
    return size === 0 ? md5.toLowerCase() === EMPTY_MD5 : existsSync(this.blobPath(md5, size));
  }

  partPath(uploadId: string): string {
    return join(this.partDir, uploadId);
  }

  async createPart(uploadId: string): Promise<void> {
    if (!existsSync(this.partPath(uploadId))) await writeFile(this.partPath(uploadId), '');
  }

  /** Bytes received so far for an upload session (0 when none). */
  partSize(uploadId: string): number {
    try {
      return statSync(this.partPath(uploadId)).size;
    } catch {
      return 0;
    }
  }

  async truncatePart(uploadId: string, length: number): Promise<void> {
    await truncate(this.partPath(uploadId), length);
  }

  async dropPart(uploadId: string): Promise<void> {
    await rm(this.partPath(uploadId), { force: true });
  }

  /** MD5 of the part file, streamed from disk (used when the bytes arrived over several requests). */
  async hashPart(uploadId: string): Promise<string> {
    const hash = createHash('md5');
    for await (const chunk of createReadStream(this.partPath(uploadId))) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  /** Turns a finished part into a blob (or drops it when that content is already stored). */
  async promotePart(uploadId: string, md5: string, size: number): Promise<void> {
    const target = this.blobPath(md5, size);
    if (size === 0 || existsSync(target)) await this.dropPart(uploadId);
    else await rename(this.partPath(uploadId), target);
  }

  /** Removes blobs no revision references, and parts of sessions that no longer exist. */
  async collect(liveKeys: Set<string>, liveUploads: Set<string>): Promise<void> {
    for (const name of await readdir(this.blobDir)) if (!liveKeys.has(name)) await rm(join(this.blobDir, name), { force: true });
    for (const name of await readdir(this.partDir)) if (!liveUploads.has(name)) await rm(join(this.partDir, name), { force: true });
  }

  async size(md5: string, size: number): Promise<number> {
    return (await stat(this.blobPath(md5, size))).size;
  }
}
