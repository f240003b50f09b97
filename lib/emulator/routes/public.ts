/** `GET /opin/io/downloadPublic/{user}/{publicURI}`: a shared file's bytes, no auth. */
import type { Ctx } from '../core.js';
import { sendContent } from '../download.js';
import { errors } from '../errors.js';
import { currentRevision } from '../state.js';

export async function downloadPublic(ctx: Ctx, user: string, uri: string): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed(method);
  const account = ctx.core.account;
  if (user.toLowerCase() !== account.username.toLowerCase()) throw errors.noSuchFile(`/${user}/${uri}`);
  for (const p of account.everything()) {
    if (p.node.publicURI !== uri) continue;
    // [gap] a shared folder would download as a zip on the real service; not emulated.
    const rev = p.node.kind === 'file' ? currentRevision(p.node) : undefined;
    if (!rev) break;
    return sendContent(ctx, rev);
  }
  throw errors.noSuchFile(`/${user}/${uri}`);
}
