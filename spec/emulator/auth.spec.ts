import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { decodeLoginToken, exchange, form, textOf } from './helpers.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

describe('emulator identity', () => {
  let h: TestEmulator;
  // The emulator's clock: a spec moves it forward instead of waiting out a token's lifetime.
  let skewMs = 0;
  before(async () => {
    h = await startTestEmulator({ accessTokenTtlSeconds: 2, now: () => Date.now() + skewMs });
  });
  after(() => h.close());

  it('login token: base64url without padding of {username, realm, well_known_link, auth_token} pointing at the emulator', () => {
    const token = h.emu.loginToken;
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    const p = decodeLoginToken(token);
    assert.deepEqual(Object.keys(p).sort(), ['auth_token', 'realm', 'username', 'well_known_link']);
    assert.equal(p.realm, 'jottacloud');
    assert.equal(p.username, h.emu.username);
    assert.equal(p.well_known_link, h.emu.urls.wellKnown);
    assert.match(h.emu.username, /^[a-z0-9]{24}$/);
    assert.notEqual(decodeLoginToken(h.emu.mintLoginToken()).auth_token, p.auth_token);
  });

  it('discovery names the token endpoint', async () => {
    const res = await fetch(h.emu.urls.wellKnown);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.token_endpoint, h.emu.urls.tokenEndpoint);
    assert.equal(doc.issuer, `${h.emu.url}/auth/realms/jottacloud`);
    assert.ok(Array.isArray(doc.grant_types_supported));
  });

  it('password grant returns the OAuth token JSON with JWT-looking tokens', async () => {
    const t = (await exchange(h.emu)) as unknown as Record<string, unknown>;
    for (const k of ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type', 'id_token', 'not-before-policy', 'session_state', 'scope']) {
      assert.ok(k in t, k);
    }
    assert.match(String(t.access_token), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(String(t.refresh_token), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(t.expires_in, 2);
  });

  it('(unconfirmed) a reused login token gets 401 invalid_grant (Keycloak answers bad direct-grant credentials so)', async () => {
    const token = h.emu.mintLoginToken();
    await exchange(h.emu, token);
    const p = decodeLoginToken(token);
    const res = await fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'password', password: p.auth_token, username: p.username }));
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_grant');
  });

  it('the client id may come as HTTP Basic; a missing or unknown client is invalid_client', async () => {
    const p = decodeLoginToken(h.emu.mintLoginToken());
    const basic = `Basic ${Buffer.from('jottacli:').toString('base64')}`;
    const ok = await fetch(h.emu.urls.tokenEndpoint, { ...form({ grant_type: 'password', password: p.auth_token, username: p.username }), headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(ok.status, 200);
    const none = await fetch(h.emu.urls.tokenEndpoint, form({ grant_type: 'password', password: 'x', username: p.username }));
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: string }).error, 'invalid_client');
    const unsupported = await fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'REFRESH_TOKEN', refresh_token: 'x' }));
    assert.equal(unsupported.status, 400);
    assert.equal(((await unsupported.json()) as { error: string }).error, 'unsupported_grant_type');
  });

  it('refresh rotates; presenting a used refresh token revokes the whole family (Stale token)', async () => {
    const first = await exchange(h.emu);
    const r1 = await fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'refresh_token', refresh_token: first.refresh_token }));
    assert.equal(r1.status, 200);
    const second = (await r1.json()) as { refresh_token: string; access_token: string };
    assert.notEqual(second.refresh_token, first.refresh_token);
    const reuse = await fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'refresh_token', refresh_token: first.refresh_token }));
    assert.equal(reuse.status, 400);
    assert.deepEqual(await reuse.json(), { error: 'invalid_grant', error_description: 'Stale token' });
    // The newest token of the family is dead too.
    const after = await fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'refresh_token', refresh_token: second.refresh_token }));
    assert.equal(after.status, 400);
    assert.equal(((await after.json()) as { error: string }).error, 'invalid_grant');
    const log = h.emu.controls.requests().filter((r) => r.grantType === 'refresh_token');
    assert.ok(log.length >= 3);
  });

  it('bad bearer on JFS and API: 401 with the BadCredentialsException XML body', async () => {
    for (const url of [`${h.emu.urls.jfs}${h.emu.username}`, `${h.emu.urls.api}account/v1/customer`]) {
      const res = await fetch(url, { headers: { authorization: 'Bearer nonsense' } });
      assert.equal(res.status, 401);
      const body = await res.text();
      assert.equal(textOf(body, 'code'), '401');
      assert.match(textOf(body, 'message') ?? '', /BadCredentialsException/);
      assert.equal(textOf(body, 'reason'), 'Unauthorized');
    }
    const none = await fetch(`${h.emu.urls.jfs}${h.emu.username}`);
    assert.equal(none.status, 401);
  });

  it('access tokens expire after the TTL', async () => {
    const t = await exchange(h.emu);
    const url = `${h.emu.urls.api}account/v1/customer`;
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${t.access_token}` } })).status, 200);
    skewMs += 2_100;
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${t.access_token}` } })).status, 401);
  });

  it('userinfo names the JFS username', async () => {
    const t = await exchange(h.emu);
    const res = await fetch(h.emu.urls.tokenEndpoint.replace(/token$/, 'userinfo'), { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { username: string }).username, h.emu.username);
  });

  it('traditional flow: the auth endpoint redirects to the loopback redirect_uri with code and state; the code is single use', async () => {
    const redirect = 'http://localhost:53682/';
    const authUrl = h.emu.urls.tokenEndpoint.replace(/token$/, 'auth');
    const res = await fetch(`${authUrl}?access_type=offline&client_id=desktop&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&scope=openid&state=xyz`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(`${location.origin}/`, redirect);
    assert.equal(location.searchParams.get('state'), 'xyz');
    const code = location.searchParams.get('code') ?? '';
    const grant = () => fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'desktop', grant_type: 'authorization_code', code, redirect_uri: redirect }));
    assert.equal((await grant()).status, 200);
    assert.equal((await grant()).status, 400);
    const foreign = await fetch(`${authUrl}?client_id=desktop&redirect_uri=${encodeURIComponent('http://example.com/')}&response_type=code`, { redirect: 'manual' });
    assert.equal(foreign.status, 400);
  });
});
