import { dropFromListing, folderKey, withInvalidation, type VfsContext } from './vfs-context.js';
import { dropPlaceholdersBelow } from './placeholders-below.js';
import { dirKey, type Child, type Located } from './resolver.js';

/**
 * Removes one child of a folder, wherever it lives: a placeholder or junk file only on the bridge,
 * a remote item on the service (to the trash unless `hardDelete`). A removed folder also takes
 * what the bridge holds below it (cached listings, placeholders, junk files), so that a new
 * folder of that name starts empty.
 */
export async function removeItem(ctx: VfsContext, found: Located, child: Child): Promise<void> {
  const key = dirKey(found.dir);
  if (child.source === 'local') {
    await ctx.local!.remove(key, child.nameKey);
    return;
  }
  if (child.source === 'placeholder') {
    await ctx.placeholders.remove(key, child.nameKey);
    return;
  }
  await withInvalidation(ctx, [found.dir], () => ctx.backend.remove(found.remotePath, child.kind === 'collection' ? 'folder' : 'file', { hard: ctx.settings.hardDelete }));
  await dropFromListing(ctx, found.dir, child.remoteName);
  if (child.kind === 'collection') {
    const folded = [...found.dir.folded, child.nameKey];
    await ctx.cache.invalidateSubtree(folded);
    await dropPlaceholdersBelow(ctx.placeholders, folded);
    await ctx.local?.removeTree(folderKey(folded));
  }
}
