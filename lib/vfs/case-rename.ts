import { randomUUID } from 'node:crypto';
import { joinPath } from '../util/paths.js';
import { foldName } from './fold.js';
import { encodeChecked, withInvalidation, type VfsContext } from './vfs-context.js';
import { heldContent } from './local-content.js';
import { flushPlaceholdersBelow } from './placeholders-below.js';
import { dirKey, type Child, type Located } from './resolver.js';

/**
 * A rename that only changes case (a.txt → A.txt). On the bridge it re-keys the record; on the
 * service it goes through a temporary name, since the service may treat both names as one.
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
  const tempPath = joinPath(source.dir.remotePath, `.jottadav-rename-${randomUUID().slice(0, 8)}`);
  if (kind === 'folder') await flushPlaceholdersBelow(ctx.placeholders, [...source.dir.folded, child.nameKey]);
  await withInvalidation(ctx, [source.dir], async () => {
    await ctx.backend.move(source.remotePath, tempPath, kind);
    try {
      await ctx.backend.move(tempPath, finalPath, kind);
    } catch (error) {
      // Back to the old name, so that a failed rename leaves no temporary name behind.
      await ctx.backend.move(tempPath, source.remotePath, kind).catch(() => undefined);
      throw error;
    }
  });
  // Rare, and the stored spelling is the service's to report: re-list rather than guess.
  await ctx.cache.invalidate(source.dir.folded);
  if (kind === 'folder') await ctx.cache.invalidateSubtree([...source.dir.folded, child.nameKey]);
}
