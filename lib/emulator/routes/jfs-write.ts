/** JFS command POSTs: mkDir, dl, rm, dlDir, rmDir, mv, cp, mvDir, cphash. */
import { mimeFor, type Account, type Place } from '../account.js';
import type { Ctx } from '../core.js';
import { errors } from '../errors.js';
import { sendBody, sendXml } from '../http.js';
import { nowSeconds, parseWireTime } from '../jotta-time.js';
import { fold, splitAbsolute } from '../names.js';
import { copyFile, currentRevision, ensureFolders, isSpecialMount, newFile, nextRevisionNumber, type FileNode, type FolderNode, type TreeNode } from '../state.js';
import { nameError } from '../uploads.js';
import { fileDocument, folderDocument, mountDocument, nodeDocument } from '../views.js';
import { existing } from './jfs-read.js';

export const COMMANDS = ['mkDir', 'dl', 'rm', 'dlDir', 'rmDir', 'mv', 'cp', 'mvDir', 'cphash'] as const;
type Command = (typeof COMMANDS)[number];

function parentOf(place: Place): FolderNode {
  return place.parents[place.parents.length - 1]!;
}

/** Parses a destination given as an absolute JFS path in the query, creating its parents. */
function destination(account: Account, value: string): { parent: FolderNode; name: string; place: Place } {
  const parts = splitAbsolute(value);
  if (parts.length < 4) throw errors.invalid(`Invalid destination '${value}'`);
  const [user, device, mount, ...names] = parts as [string, string, string, ...string[]];
  if (fold(user) !== fold(account.username)) throw errors.accessDenied();
  const bad = nameError([device, mount, ...names]);
  if (bad) throw bad;
  if (isSpecialMount(mount)) throw errors.invalid(`Mount point ${mount} is read-only`);
  const base = account.place(device, mount, []);
  const parent = ensureFolders(base.mount.root, names.slice(0, -1), account.mountPath(base), account.tree);
  return { parent, name: names[names.length - 1]!, place: account.place(device, mount, names) };
}

export async function postCommand(ctx: Ctx, place: Place, command: Command, value: string): Promise<void> {
  const account = ctx.core.account;
  const res = ctx.res;
  const isMount = place.names.length === 0;
  if (command !== 'mkDir' && isMount) throw errors.invalid(`Cannot ${command} a mount point`);
  const done = (status: number, body: string) => {
    account.touch(place.mount);
    sendXml(res, status, body);
  };
  switch (command) {
    case 'mkDir': {
      if (isMount) return done(200, mountDocument(account, place, false));
      const folder = ensureFolders(place.mount.root, place.names, account.mountPath(place), account.tree);
      return done(200, folderDocument(account, account.place(place.device.name, place.mount.root.name, place.names), folder, false));
    }
    case 'dl': {
      // Trash succeeds for a missing path too (rclone's code says so, in contrast with rm).
      if (!place.node) {
        account.changed();
        return sendBody(res, 200, 'application/xml; charset=UTF-8', '');
      }
      if (place.node.deleted === undefined) account.tree.trash(parentOf(place), place.node, nowSeconds());
      return done(200, nodeDocument(account, place));
    }
    case 'rm': {
      const node = place.node;
      if (!node || node.kind !== 'file') throw errors.noSuchFile(account.fullPath(place));
      account.tree.detach(parentOf(place), node);
      await account.collectGarbage();
      account.touch(place.mount);
      return sendBody(res, 200, 'application/xml; charset=UTF-8', '');
    }
    case 'dlDir': {
      const node = place.node;
      if (!node || node.kind !== 'folder') throw errors.noSuchPath(account.fullPath(place));
      if (node.deleted === undefined) account.tree.trash(parentOf(place), node, nowSeconds());
      return done(200, folderDocument(account, place, node));
    }
    case 'rmDir': {
      const node = place.node;
      if (!node || node.kind !== 'folder') throw errors.noSuchPath(account.fullPath(place));
      account.tree.detach(parentOf(place), node);
      await account.collectGarbage();
      return done(200, mountDocument(account, place));
    }
    case 'mv':
    case 'cp':
      return moveOrCopyFile(ctx, place, command, value);
    case 'mvDir':
      return moveDir(ctx, place, value);
    case 'cphash':
      return cphash(ctx, place);
  }
}

async function moveOrCopyFile(ctx: Ctx, place: Place, command: 'mv' | 'cp', value: string): Promise<void> {
  const account = ctx.core.account;
  const src = place.node;
  if (!src || src.kind !== 'file' || src.deleted !== undefined || !currentRevision(src)) throw errors.noSuchSource(account.fullPath(place));
  const dst = destination(account, value);
  const target = dst.place.node;
  const now = nowSeconds();
  let result: FileNode;
  if (target === src) {
    // Same node (a case-only rename): just take the new spelling.
    if (command === 'mv') {
      account.tree.detach(parentOf(place), src);
      src.name = dst.name;
      account.tree.attach(dst.parent, src);
    }
    result = src;
  } else if (target?.kind === 'file') {
    // Onto an existing file: the destination gets a new revision with the source's content and times.
    const cur = currentRevision(src)!;
    target.revisions.push({ ...cur, number: nextRevisionNumber(target), updated: now });
    delete target.revisions[target.revisions.length - 1]!.uploadId;
    account.tree.changed(dst.parent, target);
    // Vendor quirk: cp onto a trashed file leaves it in trash; mv revives it.
    if (command === 'mv') {
      account.tree.revive(dst.parent, target);
      account.tree.detach(parentOf(place), src);
    }
    result = target;
  } else {
    if (target) {
      if (target.deleted === undefined) throw errors.invalid(`${account.fullPath(dst.place)} is a folder`);
      account.tree.detach(dst.parent, target); // a trashed folder gives way
    }
    if (command === 'mv') {
      account.tree.detach(parentOf(place), src);
      src.name = dst.name;
      account.tree.attach(dst.parent, src);
      result = src;
    } else {
      result = copyFile(src, dst.name, now);
      account.tree.attach(dst.parent, result);
    }
  }
  account.touch(place.mount);
  account.touch(dst.place.mount);
  if (command === 'mv') await account.collectGarbage();
  const after = account.place(dst.place.device.name, dst.place.mount.root.name, dst.place.names);
  sendXml(ctx.res, 200, fileDocument(account, after, result));
}

function contains(folder: FolderNode, node: TreeNode): boolean {
  for (const c of folder.children.values()) if (c === node || (c.kind === 'folder' && contains(c, node))) return true;
  return false;
}

async function moveDir(ctx: Ctx, place: Place, value: string): Promise<void> {
  const account = ctx.core.account;
  const src = place.node;
  // Vendor quirk (aeroftp): the source must carry a trailing slash, else 404.
  if (!ctx.rawPath.endsWith('/') || !src || src.kind !== 'folder' || src.deleted !== undefined) {
    throw errors.noSuchPath(account.fullPath(place));
  }
  const dst = destination(account, value);
  if (dst.parent === src || contains(src, dst.parent)) throw errors.invalid('Cannot move a folder into itself');
  const target = dst.place.node;
  if (target && target !== src) {
    if (target.deleted === undefined) throw errors.invalid(`${account.fullPath(dst.place)} already exists`);
    account.tree.detach(dst.parent, target); // a tombstone gives way (rclone treats it as "not existing")
  }
  account.tree.detach(parentOf(place), src);
  src.name = dst.name;
  account.tree.attach(dst.parent, src);
  account.touch(place.mount);
  account.touch(dst.place.mount);
  await account.collectGarbage();
  const after = account.place(dst.place.device.name, dst.place.mount.root.name, dst.place.names);
  sendXml(ctx.res, 200, folderDocument(account, after, src));
}

/**
 * Headers JSize/JMd5/JCreated/JModified. A time before 1970 means "keep": rclone sends zero times
 * when it only wants a restore (unconfirmed what the service does with them).
 */
async function cphash(ctx: Ctx, place: Place): Promise<void> {
  const account = ctx.core.account;
  const h = ctx.req.headers;
  const sizeText = String(h.jsize ?? '');
  const md5 = String(h.jmd5 ?? '').toLowerCase();
  if (!/^\d+$/.test(sizeText) || !/^[0-9a-f]{32}$/.test(md5)) throw errors.invalid('cphash needs the headers JSize and JMd5');
  const size = Number(sizeText);
  const time = (name: 'jcreated' | 'jmodified') => {
    const v = h[name];
    if (v === undefined) return undefined;
    const t = parseWireTime(String(v));
    if (t === undefined) throw errors.invalid(`Invalid ${name} header`);
    return t < 0 ? undefined : t;
  };
  const created = time('jcreated');
  const modified = time('jmodified');
  let node = place.node;
  if (node?.kind === 'folder') throw errors.noSuchFile(account.fullPath(place));
  const current = node ? currentRevision(node) : undefined;
  if (node && current && current.md5.toLowerCase() === md5 && current.size === size) {
    if (created !== undefined) current.created = created;
    if (modified !== undefined) current.modified = modified;
    account.tree.changed(parentOf(place), node);
    account.tree.revive(parentOf(place), node);
  } else if (account.content.has(md5, size)) {
    account.checkQuota(size, node?.deleted === undefined ? (current?.size ?? 0) : 0);
    let parent = node ? parentOf(place) : undefined;
    if (!node) {
      parent = ensureFolders(place.mount.root, place.names.slice(0, -1), account.mountPath(place), account.tree);
      node = newFile(place.names[place.names.length - 1]!);
      account.tree.attach(parent, node);
    }
    const now = nowSeconds();
    const m = modified ?? current?.modified ?? now;
    node.revisions.push({
      number: nextRevisionNumber(node), state: 'COMPLETED', created: created ?? current?.created ?? m, modified: m, updated: now,
      mime: current?.mime ?? mimeFor(node.name), size, md5,
    });
    account.tree.changed(parent!, node);
    account.tree.revive(parent!, node);
  } else {
    throw errors.noSuchFile(account.fullPath(place));
  }
  account.touch(place.mount);
  const after = account.place(place.device.name, place.mount.root.name, place.names);
  sendXml(ctx.res, 200, fileDocument(account, after, after.node as FileNode));
}

export { existing };
