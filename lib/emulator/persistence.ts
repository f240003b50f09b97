/**
 * Metadata on disk: one JSON document, written atomically (temp file + rename) a moment after a
 * change and flushed on close, so a crash never leaves half a file behind.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthSnapshot } from './auth.js';
import type { Device, FolderNode, Revision, TreeNode } from './state.js';
import type { UploadSession } from './uploads.js';

interface StoredNode {
  k: 'f' | 'd';
  name: string;
  uuid: string;
  deleted?: number;
  deletedRoot?: boolean;
  publicURI?: string;
  revisions?: Revision[];
  children?: StoredNode[];
}

export interface StoredState {
  version: 1;
  username: string;
  devices: { name: string; type: string; sid: string; mounts: { modified?: number; root: StoredNode }[] }[];
  uploads: UploadSession[];
  auth: AuthSnapshot;
}

function storeNode(node: TreeNode): StoredNode {
  const base = { name: node.name, uuid: node.uuid, deleted: node.deleted, deletedRoot: node.deletedRoot, publicURI: node.publicURI };
  return node.kind === 'file'
    ? { k: 'f', ...base, revisions: node.revisions }
    : { k: 'd', ...base, children: [...node.children.values()].map(storeNode) };
}

function loadNode(s: StoredNode): TreeNode {
  const base = { name: s.name, uuid: s.uuid, deleted: s.deleted, deletedRoot: s.deletedRoot, publicURI: s.publicURI };
  for (const key of ['deleted', 'deletedRoot', 'publicURI'] as const) if (base[key] === undefined) delete base[key];
  if (s.k === 'f') return { kind: 'file', ...base, revisions: s.revisions ?? [] };
  const folder: FolderNode = { kind: 'folder', ...base, children: new Map() };
  for (const c of s.children ?? []) {
    const n = loadNode(c);
    folder.children.set(n.name.toLowerCase(), n);
  }
  return folder;
}

export function encodeDevices(devices: Iterable<Device>): StoredState['devices'] {
  return [...devices].map((d) => ({
    name: d.name,
    type: d.type,
    sid: d.sid,
    mounts: [...d.mounts.values()].map((m) => ({ modified: m.modified, root: storeNode(m.root) })),
  }));
}

export function decodeDevices(stored: StoredState['devices']): Device[] {
  return stored.map((d) => ({
    name: d.name,
    type: d.type,
    sid: d.sid,
    mounts: new Map(
      d.mounts.map((m) => {
        const root = loadNode(m.root) as FolderNode;
        return [root.name.toLowerCase(), m.modified === undefined ? { root } : { root, modified: m.modified }];
      }),
    ),
  }));
}

export class MetadataFile {
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** After the final flush nothing is written (the directory may be about to go away). */
  private closed = false;

  constructor(dataDir: string, private readonly snapshot: () => StoredState) {
    this.path = join(dataDir, 'state.json');
  }

  read(): StoredState | undefined {
    if (!existsSync(this.path)) return undefined;
    return JSON.parse(readFileSync(this.path, 'utf8')) as StoredState;
  }

  /** Debounced save: many changes in a burst cost one write. */
  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write()).catch((error: unknown) => {
        console.error(`emulator: could not save metadata: ${String(error)}`);
      });
    }, 25);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.snapshot()));
    await rename(tmp, this.path);
  }

  /** Final write (close): cancels a pending debounce and waits for any write in flight. */
  async flush(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.snapshot()));
    renameSync(tmp, this.path);
  }
}
