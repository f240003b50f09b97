/**
 * The account's tree: devices → mount points → folders and files with revisions. Trash is a
 * `deleted` mark on nodes that stay in place (tombstones); hard delete removes them. Names are
 * case-preserving, looked up case-insensitively (one node per folded name per folder).
 */
import { randomUUID } from 'node:crypto';
import { errors } from './errors.js';
import { fold } from './names.js';
import type { TreeLedger } from './tree-ledger.js';

export type RevisionState = 'COMPLETED' | 'INCOMPLETE' | 'CORRUPT';

export interface Revision {
  number: number;
  state: RevisionState;
  created: number;
  modified: number;
  updated: number;
  mime: string;
  /** Declared total size (the bytes received so far are read from the upload session). */
  size: number;
  md5: string;
  uploadId?: string;
}

interface NodeBase {
  name: string;
  uuid: string;
  /** Trash time (ms) when in trash. */
  deleted?: number;
  /** True on the node a dl/dlDir was aimed at: the entry the Trash view lists. */
  deletedRoot?: boolean;
  publicURI?: string;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  /** Ascending by number. */
  revisions: Revision[];
}

export interface FolderNode extends NodeBase {
  kind: 'folder';
  children: Map<string, TreeNode>;
}

export type TreeNode = FileNode | FolderNode;

export const SPECIAL_MOUNTS = ['Trash', 'Links', 'Latest', 'Shared'] as const;

export interface MountPoint {
  /** The mount's contents live in a folder node whose name is the mount point's name. */
  root: FolderNode;
  modified?: number;
}

export interface Device {
  name: string;
  type: string;
  sid: string;
  mounts: Map<string, MountPoint>;
}

export function newFolder(name: string): FolderNode {
  return { kind: 'folder', name, uuid: randomUUID(), children: new Map() };
}

export function newFile(name: string): FileNode {
  return { kind: 'file', name, uuid: randomUUID(), revisions: [] };
}

export function newDevice(name: string, type: string, mounts: string[]): Device {
  const device: Device = { name, type, sid: randomUUID(), mounts: new Map() };
  for (const m of mounts) device.mounts.set(fold(m), { root: newFolder(m) });
  return device;
}

export function isSpecialMount(name: string): boolean {
  return SPECIAL_MOUNTS.some((s) => fold(s) === fold(name));
}

export function child(folder: FolderNode, name: string): TreeNode | undefined {
  return folder.children.get(fold(name));
}

export function attach(folder: FolderNode, node: TreeNode): void {
  folder.children.set(fold(node.name), node);
}

export function detach(folder: FolderNode, node: TreeNode): void {
  folder.children.delete(fold(node.name));
}

export function currentRevision(file: FileNode): Revision | undefined {
  for (let i = file.revisions.length - 1; i >= 0; i--) if (file.revisions[i]!.state === 'COMPLETED') return file.revisions[i];
  return undefined;
}

/** A newer unfinished revision above the current one (`latestRevision`). */
export function latestRevision(file: FileNode): Revision | undefined {
  const last = file.revisions[file.revisions.length - 1];
  return last && last.state !== 'COMPLETED' ? last : undefined;
}

/** Every other revision, newest first (`<revisions>`). */
export function olderRevisions(file: FileNode): Revision[] {
  const current = currentRevision(file);
  const latest = latestRevision(file);
  return file.revisions.filter((r) => r !== current && r !== latest).reverse();
}

export function nextRevisionNumber(file: FileNode): number {
  return (file.revisions[file.revisions.length - 1]?.number ?? 0) + 1;
}

/** Marks a node and its live descendants as trashed with one timestamp. */
export function trash(node: TreeNode, at: number): void {
  node.deleted = at;
  node.deletedRoot = true;
  const mark = (n: TreeNode) => {
    if (n.kind !== 'folder') return;
    for (const c of n.children.values()) {
      if (c.deleted === undefined) {
        c.deleted = at;
        c.deletedRoot = false;
      }
      mark(c);
    }
  };
  mark(node);
}

/**
 * Makes a trashed node live again. Its trashed children stay in trash, and as their parent is
 * live again each becomes a trash root of its own (so the Trash view still lists it).
 */
export function revive(node: TreeNode): void {
  if (node.deleted === undefined) return;
  delete node.deleted;
  delete node.deletedRoot;
  if (node.kind === 'folder') for (const c of node.children.values()) if (c.deleted !== undefined) c.deletedRoot = true;
}

/** Walks a folder to `names`, returning the chain of folders and the final node. */
export function walk(root: FolderNode, names: string[]): { parents: FolderNode[]; node: TreeNode | undefined } {
  const parents: FolderNode[] = [];
  let node: TreeNode | undefined = root;
  for (const name of names) {
    if (!node || node.kind !== 'folder') return { parents, node: undefined };
    parents.push(node);
    node = child(node, name);
  }
  return { parents, node };
}

/**
 * `mkdir -p` under a mount point, reviving trashed folders on the way. A file in the
 * way is a conflict. `absPrefix` names the mount point for error messages.
 */
export function ensureFolders(root: FolderNode, names: string[], absPrefix: string, ledger: TreeLedger): FolderNode {
  let folder = root;
  let path = absPrefix;
  for (const name of names) {
    path += `/${name}`;
    let next = child(folder, name);
    if (!next) {
      next = newFolder(name);
      ledger.attach(folder, next);
    } else if (next.kind === 'file') {
      if (next.deleted === undefined) throw errors.invalid(`A file is in the way: ${path}`);
      // A trashed file gives way to a live folder (one node per name).
      ledger.detach(folder, next);
      next = newFolder(name);
      ledger.attach(folder, next);
    }
    ledger.revive(folder, next);
    folder = next;
  }
  return folder;
}

/** Every file node in a subtree (trashed ones too). */
export function* files(node: TreeNode): Generator<FileNode> {
  if (node.kind === 'file') {
    yield node;
    return;
  }
  for (const c of node.children.values()) yield* files(c);
}

/** Sum of current-revision sizes below a node, trash included (a mount's or device's size). */
export function treeSize(node: TreeNode): number {
  let total = 0;
  for (const f of files(node)) total += currentRevision(f)?.size ?? 0;
  return total;
}

/** Removes every trashed node below a folder; returns the trash roots it removed. */
export function purgeTrash(folder: FolderNode, counts: { files: number; folders: number }, ledger: TreeLedger): void {
  for (const c of [...folder.children.values()]) {
    if (c.deleted !== undefined) {
      if (c.deletedRoot !== false) counts[c.kind === 'file' ? 'files' : 'folders'] += 1;
      ledger.detach(folder, c);
    } else if (c.kind === 'folder') {
      purgeTrash(c, counts, ledger);
    }
  }
}

/** Deep copy of a file for `cp`: a new file whose only revision is the source's current one. */
export function copyFile(source: FileNode, name: string, updated: number): FileNode {
  const copy = newFile(name);
  const current = currentRevision(source);
  if (current) copy.revisions.push({ ...current, number: 1, updated, uploadId: undefined });
  return copy;
}
