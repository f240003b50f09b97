/**
 * The upload API (docs/jottacloud-protocol.md "Allocate and upload"): allocate decides between
 * COMPLETED (same file, dedup, empty) and a pending INCOMPLETE revision with an upload session;
 * the session's bytes accumulate in a part file on disk so that a resume works across requests
 * and restarts.
 */
import { randomBytes } from 'node:crypto';
import { BUILTIN_DEVICE, mimeFor, type Account } from './account.js';
import { EMPTY_MD5 } from './content-store.js';
import { errors } from './errors.js';
import { nowSeconds, parseWireTime } from './jotta-time.js';
import { firstProblem } from './names.js';
import { child, currentRevision, ensureFolders, isSpecialMount, latestRevision, newFile, nextRevisionNumber, type FileNode } from './state.js';

export interface UploadSession {
  id: string;
  device: string;
  mount: string;
  names: string[];
  md5: string;
  size: number;
}

export interface AllocateResponse {
  name: string;
  path: string;
  state: 'COMPLETED' | 'INCOMPLETE';
  upload_id: string;
  upload_url: string;
  bytes: number;
  resume_pos: number;
}

export function nameError(names: string[]): Error | undefined {
  const bad = firstProblem(names);
  if (!bad) return undefined;
  if (bad.problem === 'percent') return errors.percent();
  if (bad.problem === 'too-long') return errors.tooLong();
  return errors.invalid(`Invalid name '${bad.name}'`);
}

/**
 * The three path layouts rclone has sent over the years: `/jfs/{device}/{mount}/...`, and
 * the older `/{mount}/...` and `{mount}/...` that imply the built-in device.
 */
export function parseAllocatePath(path: string): { device: string; mount: string; names: string[] } {
  const parts = path.split('/').filter((s) => s.length > 0);
  if (parts[0] === 'jfs' && parts.length >= 4) return { device: parts[1]!, mount: parts[2]!, names: parts.slice(3) };
  if (parts.length >= 2 && parts[0] !== 'jfs') return { device: BUILTIN_DEVICE, mount: parts[0]!, names: parts.slice(1) };
  throw errors.invalid(`Invalid path '${path}'`);
}

const MD5 = /^[0-9a-fA-F]{32}$/;

function field<T>(body: Record<string, unknown>, key: string, ok: (v: unknown) => v is T, what: string): T {
  const v = body[key];
  if (!ok(v)) throw errors.invalid(`'${key}' must be ${what}`);
  return v;
}

function optionalTime(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null || v === '') return undefined;
  const t = parseWireTime(v);
  if (t === undefined) throw errors.invalid(`'${key}' is not a valid time`);
  return t;
}

export function uploadUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/files/v1/upload/${id}`;
}

export async function allocate(account: Account, body: Record<string, unknown>, publicUrl: string): Promise<AllocateResponse> {
  const path = field(body, 'path', (v): v is string => typeof v === 'string' && v.length > 0, 'a non-empty string');
  const bytes = field(body, 'bytes', (v): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, 'a non-negative integer');
  let md5 = field(body, 'md5', (v): v is string => typeof v === 'string' && MD5.test(v), 'a hex MD5').toLowerCase();
  const modified = optionalTime(body, 'modified') ?? nowSeconds();
  const created = optionalTime(body, 'created') ?? modified;
  const { device: deviceName, mount: mountName, names } = parseAllocatePath(path);
  const bad = nameError([deviceName, mountName, ...names]);
  if (bad) throw bad;
  if (isSpecialMount(mountName)) throw errors.invalid(`Mount point ${mountName} is read-only`);
  const device = account.device(deviceName);
  const mount = account.mount(device, mountName);
  const fileName = names[names.length - 1]!;
  const parentNames = names.slice(0, -1);

  const existingPlace = account.place(deviceName, mountName, names);
  const existing = existingPlace.node;
  if (existing?.kind === 'folder' && existing.deleted === undefined) throw errors.invalid(`${account.fullPath(existingPlace)} is a folder`);
  const existingFile = existing?.kind === 'file' ? existing : undefined;
  const current = existingFile ? currentRevision(existingFile) : undefined;
  const echo = (state: AllocateResponse['state'], id: string, resume: number, name: string): AllocateResponse => ({
    name, path, state, upload_id: id, upload_url: uploadUrl(publicUrl, id), bytes, resume_pos: resume,
  });

  // Same file, same content: only the timestamps change (COMPLETED).
  if (existingFile && existingFile.deleted === undefined && current && current.md5 === md5 && current.size === bytes) {
    current.created = created;
    current.modified = modified;
    account.tree.changed(existingPlace.parents[existingPlace.parents.length - 1], existingFile);
    account.touch(mount);
    return echo('COMPLETED', randomBytes(16).toString('hex'), bytes, existingFile.name);
  }
  account.checkQuota(bytes, existingFile?.deleted === undefined ? (current?.size ?? 0) : 0);
  if (bytes === 0) md5 = EMPTY_MD5; // empty content trivially exists

  const parent = ensureFolders(mount.root, parentNames, account.mountPath({ device, mount }), account.tree);
  let file = child(parent, fileName);
  if (!file || file.kind === 'folder') {
    if (file) account.tree.detach(parent, file); // a trashed folder gives way
    file = newFile(fileName);
    account.tree.attach(parent, file);
  }
  const target: FileNode = file;
  const now = nowSeconds();
  const mime = mimeFor(target.name);

  // Dedup: the account already holds this content.
  if (account.content.has(md5, bytes)) {
    dropPending(account, target);
    target.revisions.push({ number: nextRevisionNumber(target), state: 'COMPLETED', created, modified, updated: now, mime, size: bytes, md5 });
    account.tree.changed(parent, target);
    account.tree.revive(parent, target);
    account.touch(mount);
    return echo('COMPLETED', randomBytes(16).toString('hex'), bytes, target.name);
  }

  // A pending upload of the same content resumes; anything else replaces the pending revision.
  const pending = latestRevision(target);
  if (pending?.state === 'INCOMPLETE' && pending.uploadId && pending.md5 === md5 && pending.size === bytes && account.uploads.has(pending.uploadId)) {
    pending.created = created;
    pending.modified = modified;
    account.tree.changed(parent, target);
    return echo('INCOMPLETE', pending.uploadId, account.content.partSize(pending.uploadId), target.name);
  }
  dropPending(account, target);
  const id = randomBytes(20).toString('hex');
  await account.content.createPart(id);
  account.uploads.set(id, { id, device: device.name, mount: mount.root.name, names: [...parentNames, target.name], md5, size: bytes });
  target.revisions.push({ number: nextRevisionNumber(target), state: 'INCOMPLETE', created, modified, updated: now, mime, size: bytes, md5, uploadId: id });
  account.tree.changed(parent, target);
  account.touch(mount);
  return echo('INCOMPLETE', id, 0, target.name);
}

/** Removes an unfinished INCOMPLETE revision and its session (a new upload supersedes it). */
function dropPending(account: Account, file: FileNode): void {
  const pending = latestRevision(file);
  if (pending?.state !== 'INCOMPLETE') return;
  file.revisions.pop();
  if (pending.uploadId) {
    account.uploads.delete(pending.uploadId);
    void account.content.dropPart(pending.uploadId);
    account.changed();
  }
}

/** Finds the file and revision an upload session writes to, or undefined when it vanished. */
export function sessionTarget(account: Account, session: UploadSession): { file: FileNode; place: ReturnType<Account['place']> } | undefined {
  const place = account.tryPlace(session.device, session.mount, session.names);
  const node = place?.node;
  if (!place || node?.kind !== 'file' || !node.revisions.some((r) => r.uploadId === session.id)) return undefined;
  return { file: node, place };
}
