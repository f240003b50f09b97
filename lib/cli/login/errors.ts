/**
 * How a failure of `jottadav login` reaches the user: as one line they can act on, without a
 * stack trace (exit 1). The steps that talk to the servers turn what went wrong into such a line.
 */

import { CommandError } from '../command.js';

/** A failure the user can act on: printed without a stack trace. */
export class LoginError extends CommandError {}

/**
 * A transport failure that reached us unwrapped (node-fetch's FetchError of type 'system'),
 * looked for down the `cause` chain: it means "check the network or the URL", not "bad token".
 */
export function isNetworkFailure(error: unknown): boolean {
  const e = error as { type?: unknown; code?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.type === 'system' || (typeof e.code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR_)/.test(e.code))) return true;
  return e.cause !== undefined && e.cause !== error && isNetworkFailure(e.cause);
}
