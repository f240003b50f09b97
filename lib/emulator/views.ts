/** The JFS XML documents (account, device, listings, files), built from the tree. */
import type { Account, Place } from './account.js';
import { formatJottaTime } from './jotta-time.js';
import { currentRevision, latestRevision, olderRevisions, treeSize, type Device, type FileNode, type FolderNode, type MountPoint, type Revision, type TreeNode } from './state.js';
import { attrs, document, el, preserved, text, wrapper } from './xml.js';

const jt = (ms: number | undefined) => (ms === undefined ? undefined : formatJottaTime(ms));

/**
 * One revision. Sizes: a completed revision has its size; an INCOMPLETE one shows the bytes received
 * so far only on a direct GET (a resume hint) and none in listings; CORRUPT never has one.
 */
function revisionXml(tag: string, r: Revision, size: number | undefined): string {
  return el(tag, {},
    text('number', r.number) + text('state', r.state) + text('created', jt(r.created)) + text('modified', jt(r.modified)) +
    text('mime', r.mime) + text('mstyle', r.mime.toUpperCase().replace(/[^A-Z0-9]+/g, '_')) +
    (size === undefined ? '' : text('size', size)) + text('md5', r.md5) + text('updated', jt(r.updated)));
}

function receivedSize(account: Account, r: Revision): number | undefined {
  if (r.state === 'COMPLETED') return r.size;
  if (r.state === 'INCOMPLETE' && r.uploadId) return account.content.partSize(r.uploadId);
  return undefined;
}

function revisionsXml(account: Account, file: FileNode, full: boolean): string {
  const current = currentRevision(file);
  const latest = latestRevision(file);
  let out = current ? revisionXml('currentRevision', current, current.size) : '';
  if (latest) out += revisionXml('latestRevision', latest, full ? receivedSize(account, latest) : undefined);
  if (full) out += wrapper('revisions', olderRevisions(file).map((r) => revisionXml('revision', r, receivedSize(account, r))));
  return out;
}

const deletedAttr = (n: TreeNode) => jt(n.deleted);

/** A file inside a folder listing. */
function fileEntry(account: Account, file: FileNode, parentPath: string, extra: Record<string, string> = {}): string {
  const inner = (file.deleted !== undefined ? preserved('abspath', parentPath) : '') + revisionsXml(account, file, false);
  return el('file', { name: file.name, uuid: file.uuid, deleted: deletedAttr(file), ...extra }, inner);
}

/** A subfolder inside a listing: name only when live, with abspath when a tombstone. */
function folderEntry(folder: FolderNode, parentPath: string, extra: Record<string, string> = {}): string {
  if (folder.deleted === undefined) return `<folder${attrs({ name: folder.name })}/>`;
  return el('folder', { name: folder.name, deleted: deletedAttr(folder), ...extra }, preserved('abspath', parentPath));
}

function childrenXml(account: Account, folder: FolderNode, ownPath: string, withMetadata: boolean): string {
  const folders: string[] = [];
  const filesXml: string[] = [];
  for (const c of folder.children.values()) {
    if (c.kind === 'folder') folders.push(folderEntry(c, ownPath));
    else filesXml.push(fileEntry(account, c, ownPath));
  }
  const metadata = withMetadata
    ? `<metadata first="" max="" total="${folders.length + filesXml.length}" num_folders="${folders.length}" num_files="${filesXml.length}"/>`
    : '';
  return wrapper('folders', folders) + wrapper('files', filesXml) + metadata;
}

function shareXml(node: TreeNode): string {
  return node.publicURI ? text('publicURI', node.publicURI) + preserved('publicSharePath', `/s/${node.publicURI.slice(0, 12)}`) : '';
}

export function folderDocument(account: Account, place: Place, folder: FolderNode, withMetadata = true): string {
  const parent = account.parentPath(place);
  return document('folder', { name: folder.name, deleted: deletedAttr(folder) },
    preserved('path', parent) + preserved('abspath', parent) + shareXml(folder) +
    childrenXml(account, folder, account.fullPath(place), withMetadata));
}

export function mountDocument(account: Account, place: { device: Device; mount: MountPoint }, withMetadata = true): string {
  const devicePath = `/${account.username}/${place.device.name}`;
  const root = place.mount.root;
  return document('mountPoint', {},
    preserved('name', root.name) + preserved('path', devicePath) + preserved('abspath', devicePath) +
    text('size', treeSize(root)) + text('modified', jt(place.mount.modified)) + text('device', place.device.name) +
    text('user', account.username) + childrenXml(account, root, account.mountPath(place), withMetadata));
}

export function fileDocument(account: Account, place: Place, file: FileNode): string {
  const parent = account.parentPath(place);
  return document('file', { name: file.name, uuid: file.uuid, deleted: deletedAttr(file) },
    preserved('path', parent) + preserved('abspath', parent) + shareXml(file) + revisionsXml(account, file, true));
}

/** The document for whatever sits at a place. */
export function nodeDocument(account: Account, place: Place): string {
  const node = place.node!;
  if (place.names.length === 0) return mountDocument(account, place);
  return node.kind === 'file' ? fileDocument(account, place, node) : folderDocument(account, place, node);
}

function mountSummary(m: MountPoint, special: boolean): string {
  // The Trash mount point's size was captured empty.
  const size = special && m.root.name === 'Trash' ? undefined : treeSize(m.root);
  return el('mountPoint', {}, preserved('name', m.root.name) + text('size', size) + text('modified', jt(m.modified)));
}

function deviceModified(d: Device): number | undefined {
  let latest: number | undefined;
  for (const m of d.mounts.values()) if (m.modified !== undefined && (latest === undefined || m.modified > latest)) latest = m.modified;
  return latest;
}

function deviceSize(d: Device): number {
  let total = 0;
  for (const m of d.mounts.values()) total += treeSize(m.root);
  return total;
}

function deviceHead(d: Device): string {
  return preserved('name', d.name) + preserved('display_name', d.name) + text('type', d.type) + text('sid', d.sid) +
    text('size', deviceSize(d)) + text('modified', jt(deviceModified(d)));
}

export function deviceDocument(account: Account, d: Device): string {
  const mounts = [...d.mounts.values()].sort((a, b) => a.root.name.localeCompare(b.root.name));
  return document('device', {},
    deviceHead(d) + text('user', account.username) +
    wrapper('mountPoints', mounts.map((m) => mountSummary(m, d.type === 'JOTTA'))) +
    `<metadata first="" max="" total="${mounts.length}" num_mountpoints="${mounts.length}"/>`);
}

export function userDocument(account: Account): string {
  return document('user', {},
    text('username', account.username) + text('account-type', account.capacity < 0 ? 'unlimited' : 'limited') +
    text('locked', 'false') + text('capacity', account.capacity) + text('max-devices', -1) + text('max-mobile-devices', -1) +
    text('usage', account.usage()) + text('read-locked', 'false') + text('write-locked', 'false') +
    text('quota-write-locked', String(account.capacity >= 0 && account.usage() >= account.capacity)) +
    text('enable-sync', 'true') + text('enable-foldershare', 'true') +
    wrapper('devices', [...account.devices.values()].map((d) => el('device', {}, deviceHead(d)))));
}

/** `Jotta/Trash`: the roots of deletions across the account, marked contextType="TRASH". */
export function trashDocument(account: Account, device: Device, mount: MountPoint): string {
  const folders: string[] = [];
  const filesXml: string[] = [];
  for (const p of account.everything()) {
    const parentDeleted = p.parents.length > 1 && p.parents[p.parents.length - 1]!.deleted !== undefined;
    if (p.node.deleted === undefined || parentDeleted) continue;
    const parent = account.parentPath(p);
    if (p.node.kind === 'folder') folders.push(folderEntry(p.node, parent, { contextType: 'TRASH' }));
    else filesXml.push(fileEntry(account, p.node, parent, { contextType: 'TRASH' }));
  }
  const devicePath = `/${account.username}/${device.name}`;
  return document('mountPoint', {},
    preserved('name', mount.root.name) + preserved('path', devicePath) + preserved('abspath', devicePath) + text('size', undefined) +
    text('modified', undefined) + text('device', device.name) + text('user', account.username) +
    wrapper('folders', folders) + wrapper('files', filesXml) +
    `<metadata first="" max="" total="${folders.length + filesXml.length}" num_folders="${folders.length}" num_files="${filesXml.length}"/>`);
}

/** A `<searchresult>` of files (Links, Latest): each with path, abspath, publicURI and revision. */
export function searchResult(account: Account, found: (Place & { node: TreeNode })[]): string {
  const folders: string[] = [];
  const filesXml: string[] = [];
  for (const p of found) {
    const parent = account.parentPath(p);
    const head = preserved('path', parent) + preserved('abspath', parent) + shareXml(p.node);
    if (p.node.kind === 'folder') folders.push(el('folder', { name: p.node.name, deleted: deletedAttr(p.node) }, head));
    else filesXml.push(el('file', { name: p.node.name, uuid: p.node.uuid, deleted: deletedAttr(p.node) }, head + revisionsXml(account, p.node, false)));
  }
  return document('searchresult', {},
    wrapper('folders', folders) + wrapper('files', filesXml) +
    `<metadata first="" max="" total="${folders.length + filesXml.length}" num_folders="${folders.length}" num_files="${filesXml.length}"/>`);
}
