/**
 * Getting the account's OAuth token, the step that spends the single-use personal login token:
 * reuse a token file saved by an earlier run, or read a login token and exchange it with the
 * identity server it names (OIDC). The result is saved at once, before any further question,
 * so that a later mistake never costs the user a new login token.
 */
import { dirname } from 'node:path';
import { rememberLoginTokenUsed, whenLoginTokenUsed } from '../../config/index.js';
import {
  decodeLoginToken,
  type FileTokenStore,
  JottaAuthError,
  JottaConfigError,
  JottaHttpError,
  JottaNetworkError,
  loginWithToken,
  type FetchLike,
  type WhiteLabelService,
} from '../../jottacloud/index.js';
import { isNetworkFailure, LoginError } from './errors.js';
import type { LoginFlags } from './flags.js';
import { askSecret, confirm } from './prompts.js';
import { whereToGetToken } from './service.js';
import type { Terminal } from '../terminal.js';

/** Where the token goes and how the identity server is reached. */
export interface TokenTarget {
  store: FileTokenStore;
  tokenFile: string;
  /** The record of login tokens already exchanged lives beside it. */
  configFile: string;
  fetch: FetchLike;
}

/** Leaves a usable token in `target.store`, or throws LoginError saying why it could not. */
export async function obtainToken(flags: LoginFlags, term: Terminal, service: WhiteLabelService, target: TokenTarget): Promise<void> {
  if (await reuseExistingToken(flags, term, target.store, target.tokenFile)) return;
  const pasted = await readLoginToken(flags, term, service);
  term.say('Exchanging the login token...');
  const secret = decodeLoginToken(pasted).auth_token;
  try {
    await loginWithToken(pasted, target.store, { fetch: target.fetch });
  } catch (error) {
    const usedAt = await whenLoginTokenUsed(dirname(target.configFile), secret);
    throw new LoginError(explainLoginError(error, service, flags['well-known'], usedAt));
  }
  await rememberLoginTokenUsed(dirname(target.configFile), secret).catch(() => undefined);
  term.say(`Saved the token to ${target.tokenFile} (mode 0600).`);
}

/** A rerun after a later step failed finds the token already saved: offer it (unless --login-token). */
async function reuseExistingToken(flags: LoginFlags, term: Terminal, store: FileTokenStore, tokenFile: string): Promise<boolean> {
  if (flags['login-token'] !== undefined) return false;
  let stored;
  try {
    stored = await store.load();
  } catch {
    return false;
  }
  if (!stored?.refreshToken) return false;
  return confirm(flags, term, `${tokenFile} already holds a login. Use it instead of a new login token?`, true);
}

/**
 * --login-token, or pasted (hidden) with three tries. A token issued by another service than the
 * one chosen is only noted: the token names its own identity server, and that is what counts.
 */
async function readLoginToken(flags: LoginFlags, term: Terminal, service: WhiteLabelService): Promise<string> {
  const check = (pasted: string): string | undefined => {
    try {
      const token = decodeLoginToken(pasted);
      const host = new URL(token.well_known_link).hostname;
      if (!flags['well-known'] && service.key !== 'jottacloud' && host !== service.domain) {
        term.say(`Note: this token was issued by ${host}, not by ${service.domain} (${service.name}); using it as issued.`);
      }
      return undefined;
    } catch (error) {
      return error instanceof JottaConfigError ? error.message : String(error);
    }
  };
  if (flags['login-token'] !== undefined) {
    const problem = check(flags['login-token']);
    if (problem) throw new LoginError(`--login-token is not a personal login token (${problem}). ${whereToGetToken(service)}`);
    return flags['login-token'];
  }
  term.say(`${whereToGetToken(service)}`);
  for (let attempt = 1; ; attempt++) {
    const pasted = await askSecret(term, 'Login Token> ');
    const problem = check(pasted);
    if (!problem) return pasted;
    if (attempt >= 3) throw new LoginError(`that is not a personal login token (${problem}). ${whereToGetToken(service)}`);
    term.say(`That is not a personal login token (${problem}). Paste the whole token, in one line.`);
  }
}

/**
 * The three ways a login token fails, told apart as far as possible. The server answers a
 * reused and a mistyped token alike (401 invalid_grant), so "already used" is said only when
 * this machine remembers exchanging it (`usedAt`).
 */
export function explainLoginError(error: unknown, service: WhiteLabelService, wellKnown?: string, usedAt?: Date): string {
  const fresh = `${whereToGetToken(service)} and run jottadav login again.`;
  if (error instanceof JottaConfigError) return `that is not a personal login token (${error.message}). ${fresh}`;
  if (error instanceof JottaAuthError) {
    const said = `${error.error}${error.description ? `: ${error.description}` : ''}`;
    const text = said.toLowerCase();
    if (usedAt) return `the login token has already been used — it was exchanged here on ${usedAt.toISOString()}, and each one works once (the server said ${said}). ${fresh}`;
    if (/expired|not active/.test(text)) return `the login token has expired (the server said ${said}). ${fresh}`;
    if (/already used|consumed|stale/.test(text)) return `the login token has already been used — each one works once (the server said ${said}). ${fresh}`;
    if (error.error === 'invalid_grant' || error.status === 401) return `the login token was refused: it is mistyped, already used (each works once) or expired (the server said ${said}). ${fresh}`;
    return `the identity server refused the login (${said}). ${fresh}`;
  }
  if (error instanceof JottaNetworkError || isNetworkFailure(error)) {
    return `could not reach the identity server (${(error as Error).message}). Check the network${wellKnown ? ` and --well-known ${wellKnown}` : ', or point --well-known at a non-default identity server'}.`;
  }
  if (error instanceof JottaHttpError) {
    return error.status === 404
      ? `the identity server has no such discovery document (404)${wellKnown ? `; check --well-known ${wellKnown}` : ''}.`
      : `the identity server answered ${error.message}. Try again later.`;
  }
  return `the login failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * `--well-known` replaces the discovery URL the login token names: the token embeds its
 * issuer, so without this the only way to reach a different identity server would be a
 * different token.
 */
export function rewritingFetch(base: FetchLike, wellKnown: string | undefined): FetchLike {
  if (!wellKnown) return base;
  return (url, init) => (/\/\.well-known\/openid-configuration(?:[?#].*)?$/.test(url) ? base(wellKnown, init) : base(url, init));
}
