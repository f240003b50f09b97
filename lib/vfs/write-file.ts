import type { Readable } from 'node:stream';
import type { UploadBody } from '../storage/backend.js';
import { StorageError } from '../storage/errors.js';
import { joinPath } from '../util/paths.js';
import { remoteToEntry } from './entries.js';
import { addToListing, assertWritable, encodeChecked, withInvalidation, type VfsContext } from './vfs-context.js';
import { writeLocalOnly, writePlaceholder } from './local-content.js';
import { replaceWithoutRevision } from './no-versions.js';
import { dirKey, splitTarget } from './resolver.js';
import { spoolBody } from './spool/spool.js';
import type { WriteOptions, WriteResult } from './types.js';

/**
 * Vfs.write over the backend: the body is spooled and hashed whole first (an upload carries the MD5
 * of the whole body, which some backends need before the first byte, and it must be resumable
 * from any offset), then uploaded, and the folder's cached listing takes the new entry. Junk names
 * and empty new files stay on the bridge (local-content.ts) instead.
 */
export async function writeFile(ctx: VfsContext, path: string, body: Readable, options: WriteOptions): Promise<WriteResult> {
  // The client may go away while the parent is still being looked up, before the spool reads the
  // body: without a listener that 'error' would be an uncaught exception. The spool sees the
  // destroyed stream and reports ABORTED.
  const swallow = () => undefined;
  body.on('error', swallow);
  try {
    return await writeBody(ctx, path, body, options);
  } finally {
    body.off('error', swallow);
  }
}

async function writeBody(ctx: VfsContext, path: string, body: Readable, options: WriteOptions): Promise<WriteResult> {
  assertWritable(ctx);
  const { parent, name, raw } = splitTarget(path);
  if (name === undefined || raw === undefined) throw new StorageError('IS_A_DIRECTORY', 'the root is a collection');
  const { dir, existing } = await ctx.resolver.target(parent, raw);
  if (existing?.kind === 'collection') throw new StorageError('IS_A_DIRECTORY', `${path} is a collection`);
  // A remote file of a junk name (written by another tool) is updated where it is.
  if (ctx.local?.matches(name) && existing?.source !== 'remote') return writeLocalOnly(ctx, dir, existing, name, body, options);
  // An existing sibling of another case keeps its name (APFS/NTFS behaviour).
  const remoteName = existing ? existing.remoteName : encodeChecked(ctx, name);
  const clientName = existing ? existing.name : name;
  const spool = await spoolBody(body, { memoryLimit: ctx.settings.md5MemoryLimit, dir: ctx.settings.spoolDir, directIo: ctx.settings.spoolDirectIo, expectedSize: options.expectedSize });
  try {
    const modified = options.modified ?? new Date();
    // Windows creates every file with an empty PUT before the real one: one revision, not two.
    if (spool.size === 0 && (!existing || existing.source === 'placeholder')) {
      return await writePlaceholder(ctx, dir, existing, clientName, remoteName, modified);
    }
    const upload: UploadBody = {
      size: spool.size,
      md5: spool.md5,
      modified,
      open: (offset) => spool.open(offset),
    };
    // Even a failed upload may have touched the remote (a pending revision): re-list next time.
    const remote = await withInvalidation(ctx, [dir], () =>
      ctx.settings.noVersions && existing?.source === 'remote'
        ? replaceWithoutRevision(ctx.backend, dir.remotePath, remoteName, upload)
        : ctx.backend.upload(joinPath(dir.remotePath, remoteName), upload),
    );
    await addToListing(ctx, dir, remote);
    if (existing?.source === 'placeholder') await ctx.placeholders.remove(dirKey(dir), existing.nameKey);
    const entry = remoteToEntry(remote, joinPath(dir.clientPath, clientName), clientName);
    return { entry, created: !existing };
  } finally {
    await spool.dispose();
  }
}
