import { folderKey } from './vfs-context.js';
import type { Placeholders } from './placeholders.js';

/**
 * The placeholders of a whole subtree, for changes that act on a folder: the records are keyed by
 * folder, so the folder and every folder below it are found by key prefix.
 */

async function foldersBelow(placeholders: Placeholders, folded: readonly string[]): Promise<string[]> {
  const prefix = folderKey(folded);
  return (await placeholders.folders()).filter((key) => key === prefix || key.startsWith(prefix + '/'));
}

/** A removed folder takes its placeholders with it: none may turn into a file later. */
export async function dropPlaceholdersBelow(placeholders: Placeholders, folded: readonly string[]): Promise<void> {
  for (const key of await foldersBelow(placeholders, folded)) {
    for (const nameKey of Object.keys(await placeholders.inFolder(key))) await placeholders.remove(key, nameKey);
  }
}

/**
 * Before a folder is moved or copied on the service, its placeholders become real empty files, so
 * that they travel with it (their records name the old remote path).
 */
export async function flushPlaceholdersBelow(placeholders: Placeholders, folded: readonly string[]): Promise<void> {
  for (const key of await foldersBelow(placeholders, folded)) await placeholders.flushFolder(key, true);
}
