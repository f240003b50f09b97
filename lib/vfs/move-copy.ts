import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RemoteEntry } from '../storage/backend.js';
import { StorageError } from '../storage/errors.js';
import { joinPath } from '../util/paths.js';
import { renameCase } from './case-rename.js';
import { foldName } from './fold.js';
import { addToListing, dropFromListing, encodeChecked, folderKey, resourceKeyOf, withInvalidation, type VfsContext } from './vfs-context.js';
import { heldContent, writePlaceholder } from './local-content.js';
import { flushPlaceholdersBelow } from './placeholders-below.js';
import { removeItem } from './remove-item.js';
import { dirKey, sameDir, splitTarget, type Child, type DirRef, type Located } from './resolver.js';
import type { TransferOptions, TransferResult } from './types.js';

/**
 * Vfs.move and Vfs.copy (`move` tells them apart). The destination is looked up like a write's:
 * a sibling that differs only in case (or normalisation) is the destination itself, so a move onto
 * it is a case-only rename (case-rename.ts, which leaves the remote rename to the backend), and
 * anything else of that name is replaced only with `overwrite`.
 * Remote items move and copy on the service; placeholders and junk files on the bridge.
 */
export async function transfer(ctx: VfsContext, from: string, to: string, options: TransferOptions, move: boolean): Promise<TransferResult> {
  const source = await ctx.resolver.locate(from);
  const child = source.child;
  if (!child) throw new StorageError('INVALID_ARGUMENT', 'the root cannot be moved or copied');
  const { parent, name, raw } = splitTarget(to);
  if (name === undefined || raw === undefined) throw new StorageError('INVALID_ARGUMENT', 'nothing can be moved or copied onto the root');
  const sourceKey = resourceKeyOf(source.clientPath, ctx.caseInsensitive);
  const targetKey = resourceKeyOf(to, ctx.caseInsensitive);
  const { dir, existing } = await ctx.resolver.target(parent, raw);
  // The same stored item answers to the target name (compared by stored name, so that one of two
  // remote names that fold together is not mistaken for its twin).
  const sameItem = existing !== undefined && sameDir(dir, source.dir) && existing.remoteName === child.remoteName && existing.source === child.source;
  if (sameItem) {
    if (!move || existing.name === raw || existing.name === name) throw new StorageError('INVALID_ARGUMENT', `${to} is ${from} itself`);
    await renameCase(ctx, source, child, name);
    return { created: false };
  }
  if (targetKey.startsWith(sourceKey + '/')) throw new StorageError('INVALID_ARGUMENT', `${to} lies inside ${from}`);
  if (existing && !options.overwrite) throw new StorageError('ALREADY_EXISTS', `${to} exists`);
  const remoteName = encodeChecked(ctx, name);
  if (existing) {
    await removeItem(ctx, { dir, child: existing, clientPath: joinPath(dir.clientPath, existing.name), remotePath: joinPath(dir.remotePath, existing.remoteName) }, existing);
  }
  const target: Destination = { dir, name, remoteName, clientPath: joinPath(dir.clientPath, name), remotePath: joinPath(dir.remotePath, remoteName) };
  if (child.source !== 'remote') await transferHeld(ctx, source, child, target, move);
  else if (child.kind === 'file') await transferRemoteFile(ctx, source, child, target, move);
  else await transferRemoteFolder(ctx, source, child, target, move, options.depth ?? 'infinity');
  return { created: !existing };
}

/** Where the item goes: the folder, and the new name as the client sent it (NFC) and encoded. */
interface Destination extends Located {
  name: string;
  remoteName: string;
}

async function transferRemoteFile(ctx: VfsContext, source: Located, child: Child, target: Destination, move: boolean): Promise<void> {
  if (move) {
    await withInvalidation(ctx, [source.dir, target.dir], () => ctx.backend.move(source.remotePath, target.remotePath, 'file'));
    // A move keeps the file's revision: its entry under the new name.
    await moved(ctx, source, child, target.dir, { ...child.remote!, name: target.remoteName });
  } else {
    const copied = await withInvalidation(ctx, [target.dir], () => ctx.backend.copy(source.remotePath, target.remotePath));
    await addToListing(ctx, target.dir, copied);
  }
}

async function transferRemoteFolder(ctx: VfsContext, source: Located, child: Child, target: Destination, move: boolean, depth: 0 | 'infinity'): Promise<void> {
  const dir = target.dir;
  const folded = [...source.dir.folded, child.nameKey];
  await flushPlaceholdersBelow(ctx.placeholders, folded);
  const folder: RemoteEntry = { name: target.remoteName, kind: 'folder', size: 0 };
  if (move) {
    await withInvalidation(ctx, [source.dir, dir], () => ctx.backend.move(source.remotePath, target.remotePath, 'folder'));
    await moved(ctx, source, child, dir, folder);
  } else {
    await withInvalidation(ctx, [dir], () => copyFolder(ctx, source.remotePath, target.remotePath, depth));
    await addToListing(ctx, dir, folder);
  }
  // Nothing cached below either end describes the result: the listings below are re-read.
  const targetFolded = [...dir.folded, foldName(target.name)];
  if (move) {
    await ctx.cache.invalidateSubtree(folded);
    await ctx.local?.moveTree(folderKey(folded), folderKey(targetFolded));
  }
  await ctx.cache.invalidateSubtree(targetFolded);
}

/** Moves or copies a placeholder or a junk file. */
async function transferHeld(ctx: VfsContext, source: Located, child: Child, target: Destination, move: boolean): Promise<void> {
  const name = target.name;
  const fromKey = dirKey(source.dir);
  const content = await heldContent(ctx, source.dir, child);
  const modified = new Date(child.local?.modified ?? child.placeholder!.modified);
  if (child.source === 'local' && ctx.local!.matches(name)) {
    await ctx.local!.put(dirKey(target.dir), foldName(name), { ...child.local!, name }, content);
  } else if (child.source === 'placeholder') {
    await writePlaceholder(ctx, target.dir, undefined, name, target.remoteName, modified);
  } else {
    // A junk file renamed to a real name (Office's save-as-temp-then-rename) becomes a real upload.
    const uploaded = await withInvalidation(ctx, [target.dir], () =>
      ctx.backend.upload(target.remotePath, { size: content.length, md5: md5Of(content), modified, open: (o) => Readable.from([content.subarray(o)]) }),
    );
    await addToListing(ctx, target.dir, uploaded);
  }
  if (move) {
    if (child.source === 'local') await ctx.local!.remove(fromKey, child.nameKey);
    else await ctx.placeholders.remove(fromKey, child.nameKey);
  }
}

/** StorageBackend.copy takes files only: a folder is made anew and each file copied (Depth 0: the folder alone). */
async function copyFolder(ctx: VfsContext, from: string, to: string, depth: 0 | 'infinity'): Promise<void> {
  await ctx.backend.mkdir(to);
  if (depth === 0) return;
  for (const entry of await ctx.backend.list(from)) {
    const src = joinPath(from, entry.name);
    const dst = joinPath(to, entry.name);
    if (entry.kind === 'file') await ctx.backend.copy(src, dst);
    else await copyFolder(ctx, src, dst, depth);
  }
}

/** The listings of both folders after a successful move: out of one, into the other. */
async function moved(ctx: VfsContext, source: Located, child: Child, dir: DirRef, entry: RemoteEntry): Promise<void> {
  await dropFromListing(ctx, source.dir, child.remoteName);
  await addToListing(ctx, dir, entry);
}

function md5Of(content: Buffer): string {
  return createHash('md5').update(content).digest('hex');
}
