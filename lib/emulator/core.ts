/** What every route sees: the account, identity, fault switches and where the emulator lives. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Account } from './account.js';
import type { AuthState } from './auth.js';
import { errors } from './errors.js';
import type { Faults, RequestLogEntry } from './faults.js';

export const REALM = 'jottacloud';

export interface Core {
  account: Account;
  auth: AuthState;
  faults: Faults;
  /** Base of upload URLs and well_known_link, no trailing slash. */
  publicUrl(): string;
  mintLoginToken(): string;
}

export interface Ctx {
  core: Core;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path exactly as received (still percent-encoded), without the query. */
  rawPath: string;
  entry: RequestLogEntry;
  /**
   * Whether the bearer was valid when the request arrived. The service checks it on arrival, so
   * a token that expires while a slow request is under way does not fail it.
   */
  bearerValid: boolean;
}

/** Bearer check for JFS, API and upload paths; a bad or expired token is 401 with an XML error. */
export function requireBearer(ctx: Ctx): void {
  if (!ctx.bearerValid) throw errors.badCredentials();
}

export function bearerValidNow(core: Core, header: string | undefined): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && core.auth.validAccess(m[1]!);
}
