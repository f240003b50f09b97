/**
 * Identity (docs/jottacloud-protocol.md "Tokens and login"): single-use login tokens, password
 * and refresh_token grants, refresh-token rotation with reuse detection that revokes the whole
 * family, and access tokens with a TTL.
 * Tokens look like JWTs (three base64url parts) but are opaque random ids to the emulator.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface AuthSnapshot {
  loginTokens: Record<string, { used: boolean }>;
  access: Record<string, { expires: number; family: string }>;
  refresh: Record<string, { family: string; used: boolean }>;
  families: Record<string, { client: string; revoked: boolean }>;
}

export const ACCEPTED_CLIENTS = new Set(['jottacli', 'desktop', 'desktop-win', 'desktop-mac']);

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_expires_in: number;
  refresh_token: string;
  token_type: string;
  id_token: string;
  'not-before-policy': number;
  session_state: string;
  scope: string;
}

/** An OAuth error answer. */
export interface OAuthFailure {
  status: number;
  body: { error: string; error_description: string };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function jwtish(kind: string, username: string, family: string): string {
  const payload = { jti: randomUUID(), typ: kind, sub: `f:emulator:${username}`, sid: family, iat: Math.floor(Date.now() / 1000) };
  return `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}.${randomBytes(32).toString('base64url')}`;
}

export class AuthState {
  private loginTokens = new Map<string, { used: boolean }>();
  private access = new Map<string, { expires: number; family: string }>();
  private refresh = new Map<string, { family: string; used: boolean }>();
  private families = new Map<string, { client: string; revoked: boolean }>();

  constructor(
    private readonly username: string,
    private readonly ttlSeconds: number,
    private readonly changed: () => void,
    /** The clock token lifetimes are judged by. */
    private readonly now: () => number = Date.now,
  ) {}

  load(s: AuthSnapshot): void {
    this.loginTokens = new Map(Object.entries(s.loginTokens));
    this.access = new Map(Object.entries(s.access));
    this.refresh = new Map(Object.entries(s.refresh));
    this.families = new Map(Object.entries(s.families));
  }

  snapshot(): AuthSnapshot {
    return {
      loginTokens: Object.fromEntries(this.loginTokens),
      access: Object.fromEntries(this.access),
      refresh: Object.fromEntries(this.refresh),
      families: Object.fromEntries(this.families),
    };
  }

  /** A new one-time secret for a personal login token. */
  mintAuthToken(): string {
    const secret = randomBytes(24).toString('base64url');
    this.loginTokens.set(secret, { used: false });
    this.changed();
    return secret;
  }

  /** Whether a bearer token is a live access token. */
  validAccess(token: string): boolean {
    const entry = this.access.get(token);
    return entry !== undefined && entry.expires > this.now();
  }

  /**
   * Password grant with a login token's auth_token. Status unconfirmed: Keycloak answers bad
   * direct-grant credentials with 401 + invalid_grant, which matches both reports (jafs: 401;
   * aeroftp: invalid_grant), so a reused or unknown auth_token gets exactly that.
   */
  passwordGrant(username: string | undefined, password: string | undefined, client: string): TokenResponse | OAuthFailure {
    const entry = password === undefined ? undefined : this.loginTokens.get(password);
    if (!entry || entry.used || username !== this.username) {
      return { status: 401, body: { error: 'invalid_grant', error_description: 'Invalid user credentials' } };
    }
    entry.used = true;
    const family = randomUUID();
    this.families.set(family, { client, revoked: false });
    return this.issue(family);
  }

  /** Codes handed out by the (auto-approving) authorization endpoint; in memory only, single use. */
  private codes = new Map<string, { client: string; redirect: string; expires: number }>();

  /** Traditional (browser) flow: the emulator approves at once, there is no browser to ask. */
  mintAuthorizationCode(client: string, redirect: string): string {
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { client, redirect, expires: this.now() + 60_000 });
    return code;
  }

  codeGrant(code: string | undefined, redirect: string | undefined, client: string): TokenResponse | OAuthFailure {
    const entry = code === undefined ? undefined : this.codes.get(code);
    if (code !== undefined) this.codes.delete(code);
    if (!entry || entry.expires < this.now() || entry.client !== client || entry.redirect !== redirect) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Code not valid' } };
    }
    const family = randomUUID();
    this.families.set(family, { client, revoked: false });
    return this.issue(family);
  }

  /** refresh_token grant: rotate; a used token presented again revokes its family. */
  refreshGrant(token: string | undefined, client: string): TokenResponse | OAuthFailure {
    const entry = token === undefined ? undefined : this.refresh.get(token);
    const family = entry ? this.families.get(entry.family) : undefined;
    if (!entry || !family) return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh token' } };
    if (entry.used || family.revoked) {
      family.revoked = true;
      this.changed();
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Stale token' } };
    }
    if (family.client !== client) {
      return { status: 400, body: { error: 'invalid_grant', error_description: "Session doesn't have required client" } };
    }
    entry.used = true;
    return this.issue(entry.family);
  }

  expireAccessTokens(): void {
    this.access.clear();
    this.changed();
  }

  revokeAllFamilies(): void {
    for (const f of this.families.values()) f.revoked = true;
    this.changed();
  }

  private issue(family: string): TokenResponse {
    const accessToken = jwtish('Bearer', this.username, family);
    const refreshToken = jwtish('Offline', this.username, family);
    const now = this.now();
    for (const [k, v] of this.access) if (v.expires <= now) this.access.delete(k);
    this.access.set(accessToken, { expires: now + this.ttlSeconds * 1000, family });
    this.refresh.set(refreshToken, { family, used: false });
    this.changed();
    return {
      access_token: accessToken,
      expires_in: this.ttlSeconds,
      // Keycloak answers 0 for offline_access refresh tokens (no fixed expiry); unconfirmed here.
      refresh_expires_in: 0,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      id_token: jwtish('ID', this.username, family),
      'not-before-policy': 0,
      session_state: family,
      scope: 'openid email offline_access',
    };
  }
}
