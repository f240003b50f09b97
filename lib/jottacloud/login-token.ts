/**
 * The personal login token (docs/jottacloud-protocol.md "Tokens and login"): base64url without
 * padding of a JSON object.
 * Decoded leniently (whitespace, padding, the standard alphabet) because users paste it.
 */
import { JottaConfigError } from './errors.js';
import type { LoginToken } from './wire-types.js';

export function decodeLoginToken(pasted: string): LoginToken {
  if (typeof pasted !== 'string') throw new JottaConfigError('login token: expected a string');
  const compact = pasted.replace(/\s+/g, '').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (compact === '') throw new JottaConfigError('login token is empty');
  if (!/^[A-Za-z0-9_-]+$/.test(compact)) throw new JottaConfigError('login token: not base64 text');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(compact, 'base64url').toString('utf8'));
  } catch {
    throw new JottaConfigError('login token: does not decode to JSON (was it copied completely?)');
  }
  const t = json as Partial<LoginToken> | null;
  if (!t || typeof t !== 'object') throw new JottaConfigError('login token: not a JSON object');
  for (const field of ['username', 'well_known_link', 'auth_token'] as const) {
    if (typeof t[field] !== 'string' || t[field] === '') throw new JottaConfigError(`login token: missing "${field}"`);
  }
  try {
    const url = new URL(t.well_known_link!);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new JottaConfigError('login token: well_known_link is not an http(s) URL');
  }
  return {
    username: t.username!,
    realm: typeof t.realm === 'string' ? t.realm : undefined,
    well_known_link: t.well_known_link!,
    auth_token: t.auth_token!,
  };
}

/** The inverse, for tests and tools. */
export function encodeLoginToken(token: LoginToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}
