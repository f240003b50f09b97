/**
 * What a listing shows (docs/jottacloud-protocol.md "Folder listings"; rclone's validFile and
 * validFolder): a file only when its current revision is COMPLETED and, by default, it is not in
 * the trash; in the trashed-only view only trashed files. Folders are hidden when trashed, except in the trashed-only view (so
 * that it can be descended).
 */
import type { JottaFile, JottaFolderRef } from './wire-types.js';

export function isListedFile(file: JottaFile, trashedOnly = false): boolean {
  if (file.currentRevision?.state !== 'COMPLETED') return false;
  return trashedOnly ? file.deleted : !file.deleted;
}

export function isListedFolder(folder: JottaFolderRef, trashedOnly = false): boolean {
  return trashedOnly ? true : !folder.deleted;
}

/** A live file with a completed revision: the only kind that can be read, stat'ed or copied. */
export function isLiveFile(file: JottaFile): boolean {
  return isListedFile(file, false);
}
