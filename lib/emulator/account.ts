/**
 * The one account the emulator serves: its devices and mount points, pending upload sessions,
 * the content store, capacity and usage. Routes resolve wire paths through here.
 */
import { contentKey, type ContentStore } from './content-store.js';
import { errors } from './errors.js';
import { nowSeconds } from './jotta-time.js';
import { fold } from './names.js';
import { currentRevision, files, newDevice, walk, type Device, type FolderNode, type MountPoint, type TreeNode } from './state.js';
import { TreeLedger } from './tree-ledger.js';
import type { UploadSession } from './uploads.js';

export const BUILTIN_DEVICE = 'Jotta';
export const BUILTIN_MOUNTS = ['Archive', 'Latest', 'Links', 'Shared', 'Sync', 'Trash'];

/** A resolved place in the tree: device, mount point and the chain of folders down to `node`. */
export interface Place {
  device: Device;
  mount: MountPoint;
  /** Folders from the mount root down to the node's parent (empty for the mount itself). */
  parents: FolderNode[];
  node: TreeNode | undefined;
  /** Names as requested (the last one is the node's name when it does not exist yet). */
  names: string[];
}

export class Account {
  readonly devices = new Map<string, Device>();
  readonly uploads = new Map<string, UploadSession>();
  /** Every edit of the tree goes through here: it records what to save and keeps the usage. */
  readonly tree: TreeLedger;

  constructor(
    readonly username: string,
    readonly capacity: number,
    readonly content: ContentStore,
    onChange: () => void,
  ) {
    this.tree = new TreeLedger(onChange);
  }

  /** Something other than a node changed: devices, mount points, upload sessions. */
  changed(): void {
    this.tree.metaChanged();
  }

  ensureBuiltins(): void {
    if (!this.devices.has(fold(BUILTIN_DEVICE))) this.devices.set(fold(BUILTIN_DEVICE), newDevice(BUILTIN_DEVICE, 'JOTTA', BUILTIN_MOUNTS));
  }

  device(name: string): Device {
    const device = this.devices.get(fold(name));
    if (!device) throw errors.noSuchDevice(name);
    return device;
  }

  mount(device: Device, name: string): MountPoint {
    const mount = device.mounts.get(fold(name));
    if (!mount) throw errors.noSuchMountPoint(name);
    return mount;
  }

  /** Resolves `[device, mount, ...names]`; the node may be missing, device and mount may not. */
  place(deviceName: string, mountName: string, names: string[]): Place {
    const device = this.device(deviceName);
    const mount = this.mount(device, mountName);
    if (names.length === 0) return { device, mount, parents: [], node: mount.root, names };
    const { parents, node } = walk(mount.root, names);
    return { device, mount, parents, node, names };
  }

  /** `/{user}/{device}/{mount}` */
  mountPath(place: { device: Device; mount: MountPoint }): string {
    return `/${this.username}/${place.device.name}/${place.mount.root.name}`;
  }

  /** Absolute path of the node's parent, in stored case (`<path>`/`<abspath>` of a listing). */
  parentPath(place: Place): string {
    if (place.parents.length === 0) return `/${this.username}/${place.device.name}`;
    return `/${this.username}/${place.device.name}/${place.parents.map((p) => p.name).join('/')}`;
  }

  /** Absolute path of the place itself; a missing tail keeps the requested spelling. */
  fullPath(place: Place): string {
    const names = [...place.parents.map((p) => p.name)];
    if (place.names.length === 0) return `/${this.username}/${place.device.name}/${place.mount.root.name}`;
    names.push(place.node?.name ?? place.names[place.names.length - 1]!);
    return `/${this.username}/${place.device.name}/${names.join('/')}`;
  }

  touch(mount: MountPoint): void {
    mount.modified = nowSeconds();
    this.changed();
  }

  usage(): number {
    return this.tree.usage;
  }

  /** Throws the quota error when adding `bytes` (replacing `replaced`) would exceed the capacity. */
  checkQuota(bytes: number, replaced: number): void {
    if (this.capacity >= 0 && this.usage() - replaced + bytes > this.capacity) throw errors.quota();
  }

  /** The last garbage collection queued; shared sections start after it. */
  private collecting: Promise<unknown> = Promise.resolve();
  /** Shared sections queued or running; a collection starts after all of them. */
  private readonly sharing = new Set<Promise<unknown>>();

  /**
   * Allocation (a new part) and an upload's completion (part → blob) run beside each other, as
   * on the real service, but never beside a garbage collection: a collection that read the tree
   * before a concurrent upload completed deleted the new blob, or a part created after it.
   */
  shared<T>(work: () => Promise<T>): Promise<T> {
    const run = this.collecting.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.sharing.add(settled);
    void settled.then(() => this.sharing.delete(settled));
    return run;
  }

  /** Runs `work` alone: after every shared section queued before it, and before any queued after. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.collecting, ...this.sharing]).then(work, work);
    this.collecting = run.catch(() => undefined);
    return run;
  }

  /** Drops bodies no revision references any more and parts of vanished sessions. */
  collectGarbage(): Promise<void> {
    return this.exclusive(() => this.collectNow());
  }

  private async collectNow(): Promise<void> {
    const keys = new Set<string>();
    for (const d of this.devices.values())
      for (const m of d.mounts.values())
        for (const f of files(m.root)) for (const r of f.revisions) if (r.state === 'COMPLETED') keys.add(contentKey(r.md5, r.size));
    for (const [id, s] of this.uploads) {
      const place = this.tryPlace(s.device, s.mount, s.names);
      const alive = place?.node?.kind === 'file' && place.node.revisions.some((r) => r.uploadId === id);
      if (!alive) this.uploads.delete(id);
    }
    await this.content.collect(keys, new Set(this.uploads.keys()));
  }

  tryPlace(device: string, mount: string, names: string[]): Place | undefined {
    try {
      return this.place(device, mount, names);
    } catch {
      return undefined;
    }
  }

  /** Every node in the account with its place (for the Trash and Links views). */
  *everything(): Generator<Place & { node: TreeNode }> {
    for (const device of this.devices.values()) {
      for (const mount of device.mounts.values()) {
        const visit = function* (folder: FolderNode, parents: FolderNode[], names: string[]): Generator<Place & { node: TreeNode }> {
          const chain = [...parents, folder];
          for (const node of folder.children.values()) {
            const here = [...names, node.name];
            yield { device, mount, parents: chain, node, names: here };
            if (node.kind === 'folder') yield* visit(node, chain, here);
          }
        };
        yield* visit(mount.root, [], []);
      }
    }
  }

  hasCurrent(node: TreeNode | undefined): boolean {
    return node?.kind === 'file' && currentRevision(node) !== undefined;
  }
}

const MIME: Record<string, string> = {
  txt: 'text/plain', html: 'text/html', htm: 'text/html', css: 'text/css', csv: 'text/csv', xml: 'application/xml',
  json: 'application/json', js: 'application/javascript', pdf: 'application/pdf', zip: 'application/zip',
  gz: 'application/gzip', tar: 'application/x-tar', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  gif: 'image/gif', svg: 'image/svg+xml', webp: 'image/webp', mp3: 'audio/mpeg', mp4: 'video/mp4', md: 'text/markdown',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** MIME from the extension (rclone's tests check that `.txt` is text/plain); else octet-stream. */
export function mimeFor(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot > 0 && MIME[name.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

/** The upper-snake `mstyle` companion of a MIME type (`TEXT_PLAIN`). */
export function mstyleFor(mime: string): string {
  return mime.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}
