/** Keycloak-shaped identity: discovery, the token endpoint, userinfo. */
import type { Ctx } from '../core.js';
import { REALM } from '../core.js';
import { errors } from '../errors.js';
import { readSmallBody, sendJson } from '../http.js';
import { ACCEPTED_CLIENTS } from '../auth.js';

export function realmBase(ctx: Ctx): string {
  return `${ctx.core.publicUrl()}/auth/realms/${REALM}`;
}

export function wellKnown(ctx: Ctx): void {
  const base = realmBase(ctx);
  const oidc = `${base}/protocol/openid-connect`;
  sendJson(ctx.res, 200, {
    issuer: base,
    authorization_endpoint: `${oidc}/auth`,
    token_endpoint: `${oidc}/token`,
    token_introspection_endpoint: `${oidc}/token/introspect`,
    introspection_endpoint: `${oidc}/token/introspect`,
    userinfo_endpoint: `${oidc}/userinfo`,
    end_session_endpoint: `${oidc}/logout`,
    jwks_uri: `${oidc}/certs`,
    check_session_iframe: `${oidc}/login-status-iframe.html`,
    grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password', 'client_credentials'],
    response_types_supported: ['code', 'none', 'id_token', 'token', 'id_token token', 'code id_token', 'code token', 'code id_token token'],
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt'],
    claims_supported: ['sub', 'iss', 'auth_time', 'name', 'given_name', 'family_name', 'preferred_username', 'email'],
    scopes_supported: ['openid', 'offline_access', 'email', 'profile'],
    code_challenge_methods_supported: ['plain', 'S256'],
  });
}

/** The client id from HTTP Basic or the form (golang.org/x/oauth2 tries both). */
function clientId(ctx: Ctx, form: URLSearchParams): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  if (m) {
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const id = decodeURIComponent(decoded.split(':')[0] ?? '');
    return id;
  }
  return form.get('client_id') ?? undefined;
}

export async function token(ctx: Ctx): Promise<void> {
  if (ctx.req.method !== 'POST') throw errors.methodNotAllowed(ctx.req.method ?? '');
  const form = new URLSearchParams((await readSmallBody(ctx.req, 64 * 1024)).toString('utf8'));
  const grant = form.get('grant_type') ?? undefined;
  if (grant !== undefined) ctx.entry.grantType = grant;
  const fail = (status: number, error: string, description: string) => sendJson(ctx.res, status, { error, error_description: description });
  let client: string | undefined;
  try {
    client = clientId(ctx, form);
  } catch {
    client = undefined;
  }
  if (!client || !ACCEPTED_CLIENTS.has(client)) return fail(401, 'invalid_client', 'Invalid client credentials');
  const auth = ctx.core.auth;
  let result;
  if (grant === 'password') result = auth.passwordGrant(form.get('username') ?? undefined, form.get('password') ?? undefined, client);
  else if (grant === 'authorization_code') result = auth.codeGrant(form.get('code') ?? undefined, form.get('redirect_uri') ?? undefined, client);
  else if (grant === 'refresh_token') result = auth.refreshGrant(form.get('refresh_token') ?? undefined, client);
  else if (grant === undefined) return fail(400, 'invalid_request', 'Missing form parameter: grant_type');
  else return fail(400, 'unsupported_grant_type', 'Unsupported grant_type');
  if ('status' in result) return sendJson(ctx.res, result.status, result.body);
  sendJson(ctx.res, 200, result, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
}

export function userinfo(ctx: Ctx): void {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.headers.authorization ?? '');
  if (!m || !ctx.core.auth.validAccess(m[1]!)) {
    return sendJson(ctx.res, 401, { error: 'invalid_token', error_description: 'Token verification failed' });
  }
  const user = ctx.core.account.username;
  sendJson(ctx.res, 200, {
    sub: `f:emulator:${user}`, email_verified: true, name: 'Emulated Customer', realm: REALM, preferred_username: user,
    given_name: 'Emulated', family_name: 'Customer', email: `${user}@example.invalid`, username: user,
  });
}

/**
 * `GET …/openid-connect/auth` of the traditional flow: approves at once and redirects to
 * `redirect_uri` with `code` and `state`. Only loopback redirect URIs are accepted.
 */
export function authorize(ctx: Ctx): void {
  const q = ctx.url.searchParams;
  const client = q.get('client_id') ?? '';
  const redirect = q.get('redirect_uri') ?? '';
  if (!ACCEPTED_CLIENTS.has(client)) return sendJson(ctx.res, 400, { error: 'invalid_request', error_description: 'Invalid parameter: client_id' });
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    return sendJson(ctx.res, 400, { error: 'invalid_request', error_description: 'Invalid parameter: redirect_uri' });
  }
  if (!['localhost', '127.0.0.1', '[::1]'].includes(target.hostname) || q.get('response_type') !== 'code') {
    return sendJson(ctx.res, 400, { error: 'invalid_request', error_description: 'Invalid parameter: redirect_uri or response_type' });
  }
  target.searchParams.set('code', ctx.core.auth.mintAuthorizationCode(client, redirect));
  const state = q.get('state');
  if (state !== null) target.searchParams.set('state', state);
  ctx.res.writeHead(302, { Location: target.toString(), 'Content-Length': '0' });
  ctx.res.end();
}
