/**
 * What changed in the tree since the last save, and the account's usage, both kept as changes
 * happen so that neither costs a walk of the whole account: every edit of a node goes through
 * here with the folder that holds it (attach, detach, or a change in place), the persistence
 * layer saves only the nodes named since its last save, and quota checks read a running total.
 */
import { attach, currentRevision, detach, revive, trash, type FileNode, type FolderNode, type TreeNode } from './state.js';

export class TreeLedger {
  /** Nodes changed since the last take(), each with the folder now holding it (null: removed). */
  private dirty = new Map<TreeNode, FolderNode | null>();
  private metaDirty = false;
  /** Current-revision size of each file that is in the tree, as counted in `total`. */
  private readonly counted = new WeakMap<FileNode, number>();
  private total = 0;

  constructor(private readonly onChange: () => void) {}

  /** Sum of current-revision sizes of every file in the tree, trash included. */
  get usage(): number {
    return this.total;
  }

  /** Counts a subtree that is in the tree already (at load). */
  adopt(node: TreeNode): void {
    this.count(node, +1);
  }

  attach(folder: FolderNode, node: TreeNode): void {
    attach(folder, node);
    this.count(node, +1);
    this.note(node, folder);
  }

  detach(folder: FolderNode, node: TreeNode): void {
    detach(folder, node);
    this.count(node, -1);
    this.note(node, null);
  }

  /** Moves `node` and its live descendants to the trash (they stay in place, marked). */
  trash(folder: FolderNode, node: TreeNode, at: number): void {
    trash(node, at);
    this.changedBelow(folder, node);
  }

  /** Makes a trashed node live again; its trashed children become trash roots of their own. */
  revive(folder: FolderNode, node: TreeNode): void {
    if (node.deleted === undefined) return;
    revive(node);
    this.changed(folder, node);
    if (node.kind === 'folder') for (const c of node.children.values()) if (c.deleted !== undefined) this.changed(node, c);
  }

  /** `node` (held by `folder`, or a mount root when `folder` is undefined) changed in place. */
  changed(folder: FolderNode | undefined, node: TreeNode): void {
    if (folder === undefined) return this.metaChanged();
    if (node.kind === 'file' && this.counted.has(node)) {
      const size = currentRevision(node)?.size ?? 0;
      this.total += size - this.counted.get(node)!;
      this.counted.set(node, size);
    }
    this.note(node, folder);
  }

  /** `node` and everything below it changed in place (trash and revive mark whole subtrees). */
  changedBelow(folder: FolderNode | undefined, node: TreeNode): void {
    this.changed(folder, node);
    if (node.kind === 'folder') for (const c of node.children.values()) this.changedBelow(node, c);
  }

  /** Devices, mount points, upload sessions or tokens changed: saved whole, they are small. */
  metaChanged(): void {
    this.metaDirty = true;
    this.onChange();
  }

  /** The changes since the last call, and forgets them. */
  take(): { nodes: Map<TreeNode, FolderNode | null>; meta: boolean } {
    const out = { nodes: this.dirty, meta: this.metaDirty };
    this.dirty = new Map();
    this.metaDirty = false;
    return out;
  }

  private note(node: TreeNode, folder: FolderNode | null): void {
    this.dirty.set(node, folder);
    this.onChange();
  }

  private count(node: TreeNode, sign: 1 | -1): void {
    if (node.kind === 'folder') {
      for (const c of node.children.values()) this.count(c, sign);
      return;
    }
    if (sign > 0) {
      if (this.counted.has(node)) return;
      const size = currentRevision(node)?.size ?? 0;
      this.counted.set(node, size);
      this.total += size;
    } else {
      this.total -= this.counted.get(node) ?? 0;
      this.counted.delete(node);
    }
  }
}

