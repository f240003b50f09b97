/**
 * Metadata on disk: a snapshot (`state.json`) plus an append-only journal (`journal.ndjson`), so
 * that saving a change costs what the change is, not what the account holds.
 *
 * - Each node is one flat record (its uuid, the uuid of the folder holding it, name, flags and
 *   revisions); the tree is rebuilt from those links on load. A removed node is a `gone` record;
 *   what was below it is dropped on load because its chain no longer reaches a mount point.
 * - Changes are appended a moment after they happen (many changes in a burst cost one append),
 *   each batch a line with a sequence number, and flushed on close. Devices, mount points,
 *   upload sessions and tokens are small and go whole into every batch.
 * - When the journal outgrows the snapshot, a new snapshot (temp file + rename) replaces both:
 *   its cost is spread over as many changes as the account holds, so it stays flat per change.
 *   The snapshot names the last batch it includes, so a crash between writing it and emptying the
 *   journal replays nothing twice; a torn last line (a crash mid-append) is ignored.
 * - A version-1 state.json (one nested document) is read and turned into a snapshot on start.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthSnapshot } from './auth.js';
import { fold } from './names.js';
import type { Device, FolderNode, Revision, TreeNode } from './state.js';
import type { TreeLedger } from './tree-ledger.js';
import type { UploadSession } from './uploads.js';

interface NodeFields {
  name: string;
  deleted?: number;
  deletedRoot?: boolean;
  publicURI?: string;
}

/** One node, flat: `p` is the uuid of the folder (or mount root) that holds it. */
interface NodeRecord extends NodeFields {
  u: string;
  p: string;
  k: 'f' | 'd';
  revisions?: Revision[];
}

interface GoneRecord {
  u: string;
  gone: true;
}

interface StoredMount {
  modified?: number;
  root: NodeFields & { uuid: string };
}

export interface Meta {
  username: string;
  devices: { name: string; type: string; sid: string; mounts: StoredMount[] }[];
  uploads: UploadSession[];
  auth: AuthSnapshot;
}

interface Snapshot {
  version: 2;
  /** The last journal batch this snapshot includes. */
  seq: number;
  meta: Meta;
  nodes: NodeRecord[];
}

interface Batch {
  seq: number;
  meta?: Meta;
  nodes: Array<NodeRecord | GoneRecord>;
}

/** The nested document of version 1, read once to migrate. */
interface LegacyNode extends NodeFields {
  k: 'f' | 'd';
  uuid: string;
  revisions?: Revision[];
  children?: LegacyNode[];
}
interface LegacyState {
  version: 1;
  username: string;
  devices: { name: string; type: string; sid: string; mounts: { modified?: number; root: LegacyNode }[] }[];
  uploads: UploadSession[];
  auth: AuthSnapshot;
}

/** What a restart finds: the account's devices with their trees, sessions and tokens. */
export interface Loaded {
  username: string;
  devices: Device[];
  uploads: UploadSession[];
  auth: AuthSnapshot;
}

function fields(node: NodeFields): NodeFields {
  const out: NodeFields = { name: node.name };
  if (node.deleted !== undefined) out.deleted = node.deleted;
  if (node.deletedRoot !== undefined) out.deletedRoot = node.deletedRoot;
  if (node.publicURI !== undefined) out.publicURI = node.publicURI;
  return out;
}

function record(node: TreeNode, parent: FolderNode): NodeRecord {
  const r: NodeRecord = { u: node.uuid, p: parent.uuid, k: node.kind === 'file' ? 'f' : 'd', ...fields(node) };
  if (node.kind === 'file') r.revisions = node.revisions;
  return r;
}

function metaOf(username: string, devices: Iterable<Device>, uploads: Iterable<UploadSession>, auth: AuthSnapshot): Meta {
  return {
    username,
    devices: [...devices].map((d) => ({
      name: d.name,
      type: d.type,
      sid: d.sid,
      mounts: [...d.mounts.values()].map((m) => {
        const mount: StoredMount = { root: { uuid: m.root.uuid, ...fields(m.root) } };
        if (m.modified !== undefined) mount.modified = m.modified;
        return mount;
      }),
    })),
    uploads: [...uploads],
    auth,
  };
}

function allRecords(devices: Iterable<Device>): NodeRecord[] {
  const out: NodeRecord[] = [];
  const visit = (folder: FolderNode) => {
    for (const c of folder.children.values()) {
      out.push(record(c, folder));
      if (c.kind === 'folder') visit(c);
    }
  };
  for (const d of devices) for (const m of d.mounts.values()) visit(m.root);
  return out;
}

/** Rebuilds the trees from flat records: children hang under their `p`; orphans are dropped. */
function build(meta: Meta, records: Map<string, NodeRecord>): Device[] {
  const byParent = new Map<string, NodeRecord[]>();
  for (const r of records.values()) {
    const list = byParent.get(r.p);
    if (list) list.push(r);
    else byParent.set(r.p, [r]);
  }
  const fill = (folder: FolderNode) => {
    for (const r of byParent.get(folder.uuid) ?? []) {
      const node: TreeNode =
        r.k === 'f' ? { kind: 'file', uuid: r.u, ...fields(r), revisions: r.revisions ?? [] } : { kind: 'folder', uuid: r.u, ...fields(r), children: new Map() };
      folder.children.set(fold(node.name), node);
      if (node.kind === 'folder') fill(node);
    }
  };
  return meta.devices.map((d) => ({
    name: d.name,
    type: d.type,
    sid: d.sid,
    mounts: new Map(
      d.mounts.map((m) => {
        const root: FolderNode = { kind: 'folder', uuid: m.root.uuid, ...fields(m.root), children: new Map() };
        fill(root);
        return [fold(root.name), m.modified === undefined ? { root } : { root, modified: m.modified }];
      }),
    ),
  }));
}

function fromLegacy(legacy: LegacyState): { meta: Meta; records: Map<string, NodeRecord> } {
  const records = new Map<string, NodeRecord>();
  const visit = (folder: LegacyNode) => {
    for (const c of folder.children ?? []) {
      const r: NodeRecord = { u: c.uuid, p: folder.uuid, k: c.k, ...fields(c) };
      if (c.k === 'f') r.revisions = c.revisions ?? [];
      records.set(c.uuid, r);
      if (c.k === 'd') visit(c);
    }
  };
  for (const d of legacy.devices) for (const m of d.mounts) visit(m.root);
  const meta: Meta = {
    username: legacy.username,
    devices: legacy.devices.map((d) => ({
      name: d.name,
      type: d.type,
      sid: d.sid,
      mounts: d.mounts.map((m) => {
        const mount: StoredMount = { root: { uuid: m.root.uuid, ...fields(m.root) } };
        if (m.modified !== undefined) mount.modified = m.modified;
        return mount;
      }),
    })),
    uploads: legacy.uploads,
    auth: legacy.auth,
  };
  return { meta, records };
}

/** The account as the emulator holds it, for saving. */
export interface Live {
  username: string;
  devices: () => Iterable<Device>;
  uploads: () => Iterable<UploadSession>;
  auth: () => AuthSnapshot;
  ledger: TreeLedger;
}

export class MetadataStore {
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private live: Live | undefined;
  private seq = 0;
  private snapshotBytes = 0;
  private journalBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** After the final flush nothing is written (the directory may be about to go away). */
  private closed = false;
  /** Set while what is on disk is not a current snapshot (none yet, or a migration): the next save writes one. */
  private snapshotDue = true;

  constructor(dataDir: string) {
    this.snapshotPath = join(dataDir, 'state.json');
    this.journalPath = join(dataDir, 'journal.ndjson');
  }

  /** What the data directory holds: the snapshot with the journal replayed over it. */
  read(): Loaded | undefined {
    if (!existsSync(this.snapshotPath)) return undefined;
    const text = readFileSync(this.snapshotPath, 'utf8');
    this.snapshotBytes = text.length;
    const stored = JSON.parse(text) as Snapshot | LegacyState;
    let meta: Meta;
    let records: Map<string, NodeRecord>;
    if (stored.version === 1) {
      ({ meta, records } = fromLegacy(stored));
    } else {
      this.snapshotDue = false;
      meta = stored.meta;
      records = new Map(stored.nodes.map((r) => [r.u, r]));
      this.seq = stored.seq;
      if (existsSync(this.journalPath)) {
        const lines = readFileSync(this.journalPath, 'utf8').split('\n');
        for (const line of lines) {
          if (line === '') continue;
          let batch: Batch;
          try {
            batch = JSON.parse(line) as Batch;
          } catch {
            // A torn last line: the crash came mid-append. The next save writes a snapshot, so
            // that later batches are never appended behind it.
            this.snapshotDue = true;
            break;
          }
          this.journalBytes += line.length + 1;
          if (batch.seq <= stored.seq) continue; // already in the snapshot
          this.seq = batch.seq;
          if (batch.meta) meta = batch.meta;
          for (const r of batch.nodes) {
            if ('gone' in r) records.delete(r.u);
            else records.set(r.u, r);
          }
        }
      }
    }
    return { username: meta.username, devices: build(meta, records), uploads: meta.uploads, auth: meta.auth };
  }

  /** Makes the next save a snapshot: the account on disk was another one, or was not used. */
  startOver(): void {
    this.snapshotDue = true;
  }

  /** From now on, changes the ledger reports are saved. */
  attach(live: Live): void {
    this.live = live;
  }

  /** Debounced save: many changes in a burst cost one append. */
  changed(): void {
    if (this.timer || this.closed || !this.live) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.save();
      } catch (error) {
        console.error(`emulator: could not save metadata: ${String(error)}`);
      }
    }, 25);
    this.timer.unref();
  }

  /** Final save (close): cancels a pending debounce and writes what is left. */
  flush(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.live) this.save();
  }

  // Synchronous on purpose: a batch is small, and a snapshot is built synchronously anyway; the
  // emulator's handlers never see a half-saved state.
  private save(): void {
    if (this.snapshotDue || this.journalBytes > Math.max(4 * 1024 * 1024, this.snapshotBytes)) return this.writeSnapshot();
    const line = this.batchLine();
    if (line === undefined) return;
    appendFileSync(this.journalPath, line);
    this.journalBytes += line.length;
  }

  private batchLine(): string | undefined {
    const live = this.live!;
    const { nodes, meta } = live.ledger.take();
    if (nodes.size === 0 && !meta) return undefined;
    const batch: Batch = { seq: ++this.seq, nodes: [] };
    for (const [node, parent] of nodes) batch.nodes.push(parent ? record(node, parent) : { u: node.uuid, gone: true });
    // Meta is small and rides along with every batch, so that a batch never depends on an older one for it.
    batch.meta = metaOf(live.username, live.devices(), live.uploads(), live.auth());
    return `${JSON.stringify(batch)}\n`;
  }

  private writeSnapshot(): void {
    const live = this.live!;
    live.ledger.take(); // everything is in the snapshot
    const snapshot: Snapshot = { version: 2, seq: this.seq, meta: metaOf(live.username, live.devices(), live.uploads(), live.auth()), nodes: allRecords(live.devices()) };
    const text = JSON.stringify(snapshot);
    const tmp = `${this.snapshotPath}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.snapshotPath);
    writeFileSync(this.journalPath, '');
    this.snapshotBytes = text.length;
    this.journalBytes = 0;
    this.snapshotDue = false;
  }
}
