import { Readable } from 'node:stream';
import type { UploadBody } from '../storage/backend.js';
import { StorageError, isStorageError } from '../storage/errors.js';
import { joinPath } from '../util/paths.js';
import { EMPTY_MD5, localFileEntry } from './entries.js';
import { foldName } from './fold.js';
import type { VfsContext } from './vfs-context.js';
import type { PlaceholderRecord } from './placeholders.js';
import { dirKey, type Child, type DirRef } from './resolver.js';
import { spoolBody } from './spool/spool.js';
import type { ByteRange, WriteOptions, WriteResult } from './types.js';

/**
 * Files whose content the bridge keeps instead of the service: placeholders (an empty new file,
 * waiting for its real content; see placeholders.ts) and junk files (see local-only.ts). Their bodies
 * are small by construction (empty, or capped at LocalOnlyFiles.maxBytes), so they are held whole.
 */

/** The body of a placeholder (empty) or a junk file; a remote child has none here. */
export async function heldContent(ctx: VfsContext, dir: DirRef, child: Child): Promise<Buffer> {
  return child.source === 'local' ? ((await ctx.local!.read(dirKey(dir), child.nameKey)) ?? Buffer.alloc(0)) : Buffer.alloc(0);
}

/** A read of a placeholder or junk file, served from the store. */
export async function readHeld(ctx: VfsContext, dir: DirRef, child: Child, range: ByteRange | undefined, path: string): Promise<Readable> {
  const content = await heldContent(ctx, dir, child);
  return Readable.from([sliceRange(content, range, path)].filter((b) => b.length > 0));
}

/** Records (or re-dates) an empty new file as a placeholder instead of uploading it. */
export async function writePlaceholder(ctx: VfsContext, dir: DirRef, existing: Child | undefined, name: string, remoteName: string, modified: Date): Promise<WriteResult> {
  const now = ctx.placeholders.now();
  const record: PlaceholderRecord = existing?.placeholder
    ? { ...existing.placeholder, modified: modified.getTime() }
    : { name, remoteDir: dir.remotePath, remoteName, created: now, modified: modified.getTime(), dueAt: now + ctx.placeholders.grace };
  await ctx.placeholders.add(dirKey(dir), foldName(name), record);
  const path = joinPath(dir.clientPath, name);
  return { entry: localFileEntry(path, name, 0, EMPTY_MD5, record.created, record.modified), created: !existing };
}

/** A placeholder whose grace ran out becomes a real empty file (Placeholders calls this). */
export async function materialisePlaceholder(ctx: VfsContext, key: string, record: PlaceholderRecord): Promise<void> {
  const path = joinPath(record.remoteDir, record.remoteName);
  // Content may have arrived another way (another tool wrote the name): never overwrite it empty.
  const present = await ctx.backend.stat(path).then(
    () => true,
    (error: unknown) => {
      if (isStorageError(error, 'NOT_FOUND')) return false;
      throw error;
    },
  );
  if (!present) {
    const body: UploadBody = { size: 0, md5: EMPTY_MD5, modified: new Date(record.modified), open: () => Readable.from([]) };
    await ctx.backend.upload(path, body);
  }
  await ctx.cache.invalidate(key === '/' ? [] : key.slice(1).split('/'));
}

/** Stores a junk file's body; QUOTA_EXCEEDED above the cap, so the store never holds a large one. */
export async function writeLocalOnly(ctx: VfsContext, dir: DirRef, existing: Child | undefined, name: string, body: Readable, options: WriteOptions): Promise<WriteResult> {
  const local = ctx.local!;
  // Spooled like any body, with the cap as the memory limit: an oversized one is counted on disk
  // (and refused) instead of being gathered in memory.
  const spool = await spoolBody(body, { memoryLimit: local.maxBytes, dir: ctx.settings.spoolDir, directIo: ctx.settings.spoolDirectIo, expectedSize: options.expectedSize });
  try {
    if (spool.size > local.maxBytes) {
      throw new StorageError('QUOTA_EXCEEDED', `local-only files are limited to ${local.maxBytes} bytes`);
    }
    const content = await collect(spool.open(0));
    const now = Date.now();
    const clientName = existing?.name ?? name;
    const meta = await local.put(dirKey(dir), foldName(clientName), {
      name: clientName,
      size: content.length,
      md5: spool.md5,
      created: existing?.local?.created ?? now,
      modified: (options.modified ?? new Date()).getTime(),
    }, content);
    const path = joinPath(dir.clientPath, clientName);
    return { entry: localFileEntry(path, clientName, meta.size, meta.md5, meta.created, meta.modified), created: !existing };
  } finally {
    await spool.dispose();
  }
}

function sliceRange(content: Buffer, range: ByteRange | undefined, path: string): Buffer {
  if (!range) return content;
  const end = Math.min(range.end ?? content.length - 1, content.length - 1);
  if (range.start < 0 || range.start >= content.length || end < range.start) {
    throw new StorageError('INVALID_ARGUMENT', `range ${range.start}-${range.end ?? ''} outside the ${content.length} bytes of ${path}`);
  }
  return content.subarray(range.start, end + 1);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
