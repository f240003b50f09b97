import { joinPath } from '../util/paths.js';
import { foldName } from './fold.js';
import { encodeChecked, withInvalidation, type VfsContext } from './vfs-context.js';
import { heldContent } from './local-content.js';
import { flushPlaceholdersBelow } from './placeholders-below.js';
import { dirKey, type Child, type Located } from './resolver.js';

/**
 * A rename that only changes case (a.txt → A.txt), once move-copy.ts has recognised it (the
 * target is the source itself in another spelling). A placeholder or a junk file is re-keyed on the
 * bridge; a remote item is one StorageBackend.move, since the backend owns case-only renames
 * (a case-insensitive one goes through a temporary name of its own).
 */
export async function renameCase(ctx: VfsContext, source: Located, child: Child, name: string): Promise<void> {
  const key = dirKey(source.dir);
  if (child.source === 'placeholder') {
    await ctx.placeholders.remove(key, child.nameKey);
    await ctx.placeholders.add(key, foldName(name), { ...child.placeholder!, name, remoteName: encodeChecked(ctx, name) });
    return;
  }
  if (child.source === 'local') {
    const content = await heldContent(ctx, source.dir, child);
    await ctx.local!.remove(key, child.nameKey);
    await ctx.local!.put(key, foldName(name), { ...child.local!, name }, content);
    return;
  }
  const kind = child.kind === 'collection' ? 'folder' : 'file';
  const finalPath = joinPath(source.dir.remotePath, encodeChecked(ctx, name));
  if (kind === 'folder') await flushPlaceholdersBelow(ctx.placeholders, [...source.dir.folded, child.nameKey]);
  await withInvalidation(ctx, [source.dir], () => ctx.backend.move(source.remotePath, finalPath, kind));
  // Rare, and the stored spelling is the service's to report: re-list rather than guess.
  await ctx.cache.invalidate(source.dir.folded);
  if (kind === 'folder') await ctx.cache.invalidateSubtree([...source.dir.folded, child.nameKey]);
}
