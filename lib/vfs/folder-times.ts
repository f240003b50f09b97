import { foldName } from './fold.js';
import type { Entry } from './types.js';

/**
 * Dates for folders. Jottacloud keeps none: a folder's own document and a subfolder in a listing
 * carry a name only (a mount point has a modification time, the folders inside it do not). What
 * the service does send for a folder is used as it is; otherwise a folder's times come from its
 * own listing whenever the bridge reads it:
 * - getlastmodified: the newest modification time among its children;
 * - creationdate: the oldest creation time among them (a folder holds nothing older than itself,
 *   and a creation date later than a child's would read wrong in a "Date Created" column).
 * Subfolders count with the times last derived for them, so a change deep down shows once the
 * folders above it have been listed again. A subfolder whose own listing the bridge has not read
 * yet (in this process, since the last restart) has no times; an empty folder has none either.
 */
export interface FolderDates {
  modified?: Date;
  created?: Date;
}

/** Derived dates kept per folder; the oldest are forgotten past the limit. */
const LIMIT = 20_000;

export class FolderTimes {
  private readonly known = new Map<string, FolderDates>();
  /** Grows whenever a remembered date changes: entries made with an older version may be out of date. */
  version = 0;

  /**
   * A folder's entries were just listed: the subfolders among them get the dates known for them,
   * and the folder's own dates are derived from the result, remembered and returned.
   */
  fromListing(folderKey: string, children: Entry[]): FolderDates {
    for (const child of children) {
      if (child.kind !== 'collection' || child.modified) continue;
      const dates = this.known.get(childKey(folderKey, child.name));
      if (dates) applyDates(child, dates);
    }
    const dates = deriveDates(children);
    this.remember(folderKey, dates);
    return dates;
  }

  /** Dates derived before, for a folder whose listing is not at hand. */
  get(folderKey: string): FolderDates | undefined {
    return this.known.get(folderKey);
  }

  /** Forgets the dates of the folder at `folderKey` (a folded path) and of every folder below it. */
  forgetBelow(folderKey: string): void {
    const below = `${folderKey}/`;
    for (const key of this.known.keys()) if ((key === folderKey || key.startsWith(below)) && this.known.delete(key)) this.version++;
  }

  private remember(key: string, dates: FolderDates): void {
    const before = this.known.get(key);
    if (before?.modified?.getTime() !== dates.modified?.getTime() || before?.created?.getTime() !== dates.created?.getTime()) this.version++;
    this.known.delete(key);
    if (!dates.modified && !dates.created) return;
    this.known.set(key, dates);
    if (this.known.size > LIMIT && this.known.delete(this.known.keys().next().value!)) this.version++;
  }
}

/** Sets what `dates` has on a collection entry that has no dates of its own (from the service). */
export function applyDates(entry: Entry, dates: FolderDates): void {
  if (entry.modified || entry.created) return;
  if (dates.modified) entry.modified = dates.modified;
  if (dates.created) entry.created = dates.created;
}

export function deriveDates(children: readonly Entry[]): FolderDates {
  let modified: Date | undefined;
  let created: Date | undefined;
  for (const c of children) {
    if (c.modified && (!modified || c.modified > modified)) modified = c.modified;
    const born = c.created ?? c.modified;
    if (born && (!created || born < created)) created = born;
  }
  const dates: FolderDates = {};
  if (modified) dates.modified = modified;
  if (created) dates.created = created;
  return dates;
}

function childKey(folderKey: string, name: string): string {
  return `${folderKey === '/' ? '' : folderKey}/${foldName(name)}`;
}
