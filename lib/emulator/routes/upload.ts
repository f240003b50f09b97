/**
 * `POST {upload_url}`: bytes from the offset named by `Range: bytes=a-b` or
 * `Content-Range: bytes a-b/total` (0 when neither) are written straight to the session's part
 * file. A short body answers 420 and keeps the bytes; a cut connection keeps them too; an MD5
 * mismatch leaves the revision CORRUPT and the previous revision current.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { requireBearer, type Ctx } from '../core.js';
import { errors } from '../errors.js';
import { sendJson } from '../http.js';
import { nowSeconds } from '../jotta-time.js';
import { currentRevision } from '../state.js';
import { sessionTarget } from '../uploads.js';

function offsetOf(ctx: Ctx): number {
  const range = ctx.req.headers.range;
  const contentRange = ctx.req.headers['content-range'];
  if (range) {
    const m = /^\s*bytes\s*=\s*(\d+)\s*-\s*\d*\s*$/i.exec(range);
    if (!m) throw errors.range(`Invalid Range ${range}`);
    return Number(m[1]);
  }
  if (contentRange) {
    const m = /^\s*bytes\s+(\d+)\s*-\s*\d+\s*\/\s*(\d+|\*)\s*$/i.exec(contentRange);
    if (!m) throw errors.range(`Invalid Content-Range ${contentRange}`);
    return Number(m[1]);
  }
  return 0;
}

export async function handleUpload(ctx: Ctx, uploadId: string): Promise<void> {
  const header = ctx.req.headers.authorization;
  // rclone calls the upload URL with its bearer; a present but bad one is refused. Unconfirmed
  // whether the real upload URL (a capability) also works without one: the emulator allows that.
  if (header !== undefined) requireBearer(ctx);
  if (ctx.req.method !== 'POST') throw errors.methodNotAllowed(ctx.req.method ?? '');
  const account = ctx.core.account;
  const session = account.uploads.get(uploadId);
  const target = session ? sessionTarget(account, session) : undefined;
  if (!session || !target) throw errors.noSuchUpload(uploadId);
  const offset = offsetOf(ctx);
  const have = account.content.partSize(uploadId);
  if (offset > have) throw errors.range(`Upload offset ${offset} is beyond the ${have} bytes received`);
  if (offset < have) await account.content.truncatePart(uploadId, offset);

  const cut = ctx.core.faults.takeCut();
  const hash = offset === 0 ? createHash('md5') : undefined;
  const file = await open(account.content.partPath(uploadId), 'r+');
  let position = offset;
  let tooLong = false;
  let aborted = false;
  try {
    for await (const chunk of ctx.req) {
      let buf = chunk as Buffer;
      // Keep reading (and discarding) past an overlong body so the 400 can still be answered.
      if (tooLong || position + buf.length > session.size) {
        ctx.entry.requestBytes += buf.length;
        tooLong = true;
        continue;
      }
      const cutHere = cut !== undefined && position - offset + buf.length >= cut;
      // With a cut, the bytes after it count as never received: the connection died there.
      if (cutHere) buf = buf.subarray(0, cut - (position - offset));
      ctx.entry.requestBytes += buf.length;
      if (buf.length > 0) {
        await file.write(buf, 0, buf.length, position);
        hash?.update(buf);
        position += buf.length;
      }
      if (cutHere) {
        aborted = true;
        // The fault: the connection dies after `cut` body bytes, which stay stored.
        ctx.req.socket.destroy();
        break;
      }
    }
  } catch {
    aborted = true; // the client went away; keep what arrived
  } finally {
    await file.close();
  }
  if (aborted) {
    account.changed();
    return;
  }
  if (tooLong) {
    await account.content.truncatePart(uploadId, offset);
    throw errors.invalid(`Upload exceeds the declared ${session.size} bytes`);
  }
  if (position < session.size) throw errors.incomplete(position, session.size);

  const { file: node } = target;
  // Part → blob and the revision's state change together, never beside a garbage collection
  // (other uploads complete beside it, as on the real service).
  await account.shared(async () => {
    const rev = node.revisions.find((r) => r.uploadId === uploadId);
    // Another request completed (or replaced) this session meanwhile.
    if (!rev || !account.uploads.has(uploadId)) throw errors.noSuchUpload(uploadId);
    // Claimed before the first await: a repeat of this request running beside it finds it gone.
    account.uploads.delete(uploadId);
    delete rev.uploadId;
    let md5: string;
    try {
      md5 = hash ? hash.digest('hex') : await account.content.hashPart(uploadId);
    } catch (error) {
      account.uploads.set(uploadId, session);
      rev.uploadId = uploadId;
      throw error;
    }
    const folder = target.place.parents[target.place.parents.length - 1]!;
    if (md5 !== session.md5) {
      rev.state = 'CORRUPT';
      await account.content.dropPart(uploadId);
      account.tree.changed(folder, node);
      account.changed();
      throw errors.corrupt();
    }
    await account.content.promotePart(uploadId, session.md5, session.size);
    rev.state = 'COMPLETED';
    rev.updated = nowSeconds();
    account.tree.changed(folder, node);
    account.tree.revive(folder, node);
    account.touch(target.place.mount);
  });
  const current = currentRevision(node)!;
  sendJson(ctx.res, 200, {
    path: `/jfs/${target.place.device.name}/${[target.place.mount.root.name, ...target.place.parents.slice(1).map((p) => p.name), node.name].join('/')}`,
    content_id: `${session.md5}-${session.size}`,
    bytes: current.size,
    md5: current.md5,
    modified: current.modified,
  });
}
