/** JFS GETs: account, device, folder and file documents, download, liststream, shares, views. */
import type { Account, Place } from '../account.js';
import type { Ctx } from '../core.js';
import { sendContent } from '../download.js';
import { errors } from '../errors.js';
import { sendXml } from '../http.js';
import { formatRfc3339Millis } from '../jotta-time.js';
import { fold } from '../names.js';
import { currentRevision, type Device, type FolderNode, type MountPoint, type TreeNode } from '../state.js';
import { deviceDocument, nodeDocument, searchResult, trashDocument, userDocument } from '../views.js';
import { escapeXml } from '../xml.js';
import { randomBytes } from 'node:crypto';

/** The document, 404 when the path was never there or was purged (tombstones answer 200). */
export function existing(account: Account, place: Place): Place & { node: TreeNode } {
  if (!place.node) throw errors.noSuchPath(account.fullPath(place));
  return place as Place & { node: TreeNode };
}

export async function getAccount(ctx: Ctx, deviceName?: string): Promise<void> {
  const account = ctx.core.account;
  if (deviceName === undefined) return sendXml(ctx.res, 200, userDocument(account));
  sendXml(ctx.res, 200, deviceDocument(account, account.device(deviceName)));
}

/** Trash, Links, Latest, Shared: read-only views. */
export function getSpecial(ctx: Ctx, device: Device, mount: MountPoint, names: string[]): void {
  const account = ctx.core.account;
  if (names.length > 0) throw errors.noSuchPath(`${account.mountPath({ device, mount })}/${names.join('/')}`);
  const kind = fold(mount.root.name);
  if (kind === 'trash') return sendXml(ctx.res, 200, trashDocument(account, device, mount));
  if (kind === 'links') return sendXml(ctx.res, 200, searchResult(account, [...account.everything()].filter((p) => p.node.publicURI)));
  if (kind === 'latest') {
    const max = Number(ctx.url.searchParams.get('max') ?? '10');
    const recent = [...account.everything()]
      .filter((p) => p.node.kind === 'file' && p.node.deleted === undefined && currentRevision(p.node))
      .sort((a, b) => updatedOf(b.node) - updatedOf(a.node))
      .slice(0, Number.isFinite(max) && max > 0 ? max : 10);
    return sendXml(ctx.res, 200, searchResult(account, recent));
  }
  return sendXml(ctx.res, 200, searchResult(account, []));
}

const updatedOf = (n: TreeNode) => (n.kind === 'file' ? (currentRevision(n)?.updated ?? 0) : 0);

export async function getPath(ctx: Ctx, place: Place): Promise<void> {
  const account = ctx.core.account;
  const mode = ctx.url.searchParams.get('mode');
  const found = existing(account, place);
  switch (mode) {
    case null:
      return sendXml(ctx.res, 200, nodeDocument(account, found));
    case 'bin': {
      const node = found.node;
      const rev = node.kind === 'file' ? currentRevision(node) : undefined;
      // No completed revision: nothing to download (unconfirmed). Trashed files serve their bytes.
      if (!rev) throw errors.noSuchFile(account.fullPath(found));
      return sendContent(ctx, rev);
    }
    case 'liststream':
      if (found.node.kind !== 'folder' || found.node.deleted !== undefined) throw errors.noSuchPath(account.fullPath(found));
      return sendXml(ctx.res, 200, listStream(found, found.node));
    case 'enableShare':
      found.node.publicURI ??= randomBytes(16).toString('hex');
      account.tree.changed(found.parents[found.parents.length - 1], found.node);
      return sendXml(ctx.res, 200, nodeDocument(account, found));
    case 'disableShare':
      delete found.node.publicURI;
      account.tree.changed(found.parents[found.parents.length - 1], found.node);
      return sendXml(ctx.res, 200, nodeDocument(account, found));
    case 'thumb':
      throw errors.noSuchFile(account.fullPath(found));
    default:
      throw errors.invalid(`Unsupported mode '${mode}'`);
  }
}

/**
 * `mode=liststream`: the listed folder first, then depth-first with every folder's
 * `<folder>` before its files; only live, completed files; stats count every element emitted,
 * which is exactly what rclone's consistency check recomputes. Paths are `/{mount}/...`.
 */
export function listStream(place: Place, folder: FolderNode): string {
  const parts: string[] = [];
  let folders = 0;
  let filesCount = 0;
  const visit = (node: FolderNode, path: string) => {
    folders += 1;
    parts.push(`<folder><path>${escapeXml(path)}</path></folder>`);
    const subfolders: FolderNode[] = [];
    for (const c of node.children.values()) {
      if (c.deleted !== undefined) continue;
      if (c.kind === 'folder') {
        subfolders.push(c);
        continue;
      }
      const rev = currentRevision(c);
      if (!rev) continue;
      filesCount += 1;
      parts.push(
        `<file><path>${escapeXml(path)}</path><filename>${escapeXml(c.name)}</filename><md5>${rev.md5}</md5><size>${rev.size}</size>` +
          `<modified>${formatRfc3339Millis(rev.modified)}</modified><created>${formatRfc3339Millis(rev.created)}</created></file>`,
      );
    }
    for (const s of subfolders) visit(s, `${path}/${s.name}`);
  };
  const names = [...place.parents.map((p) => p.name), folder.name];
  visit(folder, `/${names.join('/')}`);
  return (
    `<?xml version="1.0" encoding="UTF-8"?><liststream>${parts.join('')}` +
    `<stats><folders>${folders}</folders><files>${filesCount}</files></stats></liststream>`
  );
}
