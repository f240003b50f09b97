import type { Entry, StatOptions } from '../vfs/index.js';
import { isStorageError } from '../storage/errors.js';
import { DavError } from './errors.js';
import { pathOfUri } from './href.js';
import { evaluateIf, parseIfHeader, submittedTokens, type IfList, type ResourceState } from './if-header.js';
import type { LockRecord } from './locks.js';
import { quotedEtag } from './props.js';
import { header, type DavContext } from './request.js';

/**
 * Evaluates the If header and the locks that protect what a request is about to change.
 * RFC 4918 §10.4 and §7: a false If header is 412; a lock whose token was not submitted (by its
 * owner) is 423 with DAV:lock-token-submitted naming the lock roots.
 */

export interface Protected {
  path: string;
  /** Also the locks rooted below `path` (DELETE/MOVE of a collection, overwrite of one). */
  tree?: boolean;
}

export interface GuardOptions {
  /** Paths whose state changes: their covering locks must have been submitted. */
  targets: Protected[];
  /** Office saves Win32 times with PROPPATCH without the token: the lock owner may do this. */
  tolerateOwner?: boolean;
}

export interface GuardResult {
  lists: IfList[] | undefined;
  tokens: Set<string>;
}

/** stat that answers undefined for "nothing there" instead of throwing; `options` as Vfs.stat. */
export async function statOrUndefined(ctx: DavContext, path: string, options: StatOptions = {}): Promise<Entry | undefined> {
  try {
    return await ctx.vfs.stat(path, options);
  } catch (error) {
    if (isStorageError(error, 'NOT_FOUND') || isStorageError(error, 'NOT_A_DIRECTORY')) return undefined;
    throw error;
  }
}

/** Parses and evaluates the If header only (reads use it too); 412 when it is false. */
export async function checkIfHeader(ctx: DavContext): Promise<GuardResult> {
  const raw = header(ctx.req, 'if');
  if (raw === undefined) return { lists: undefined, tokens: new Set() };
  const lists = parseIfHeader(raw);
  const ok = await evaluateIf(lists, (resource) => stateOf(ctx, resource));
  if (!ok) throw DavError.preconditionFailed('the If header evaluated to false');
  return { lists, tokens: submittedTokens(lists) };
}

async function stateOf(ctx: DavContext, resource: string | undefined): Promise<ResourceState> {
  let path = ctx.path;
  if (resource !== undefined) {
    const decoded = pathOfUri(resource, ctx.hrefs.basePath, header(ctx.req, 'host'));
    if (typeof decoded === 'string') return { etag: undefined, lockTokens: new Set() };
    path = decoded.path;
  }
  const [entry, locks] = await Promise.all([statOrUndefined(ctx, path), ctx.locks.covering(path)]);
  return { etag: entry ? quotedEtag(entry) : undefined, lockTokens: new Set(locks.map((l) => l.token)) };
}

/** The If header, then the locks on every target. */
export async function guardWrite(ctx: DavContext, options: GuardOptions): Promise<GuardResult> {
  const result = await checkIfHeader(ctx);
  const held = (lock: LockRecord) =>
    lock.user === ctx.user && (result.tokens.has(lock.token) || options.tolerateOwner === true);
  // Each blocking lock with the target it was found from: its root is named in the viewer's path space.
  const blocking = new Map<string, { lock: LockRecord; near: string }>();
  for (const target of options.targets) {
    const covering = await ctx.locks.covering(target.path);
    if (covering.length > 0 && !covering.some(held)) for (const l of covering) blocking.set(l.token, { lock: l, near: target.path });
    if (target.tree) {
      const byRoot = new Map<string, LockRecord[]>();
      for (const l of await ctx.locks.below(target.path)) {
        const root = ctx.locks.rootKey(l);
        byRoot.set(root, [...(byRoot.get(root) ?? []), l]);
      }
      for (const group of byRoot.values()) if (!group.some(held)) for (const l of group) blocking.set(l.token, { lock: l, near: target.path });
    }
  }
  if (blocking.size > 0) {
    // A root outside the viewer's tree is not theirs to see: the target it protects stands in.
    const roots = [...new Set([...blocking.values()].map(({ lock, near }) => ctx.hrefs.of(ctx.locks.viewerPath(lock, near) ?? near, false)))];
    throw DavError.locked('the resource is locked', 'lock-token-submitted', roots);
  }
  return result;
}
