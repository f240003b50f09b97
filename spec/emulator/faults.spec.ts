import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'mocha';
import { decodeLoginToken, exchange, form, md5, session, textOf, type Session } from './helpers.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

describe('emulator fault switches and request log', () => {
  let h: TestEmulator;
  let s: Session;
  before(async () => {
    h = await startTestEmulator();
    s = await session(h.emu);
  });
  after(() => h.close());
  beforeEach(() => h.emu.controls.reset());

  const control = (path: string, body?: unknown) =>
    fetch(`${h.emu.url}/_emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });

  it('the request log records method, path, query, status, body bytes and grant type; control calls are not logged', async () => {
    await exchange(h.emu);
    await s.post('Jotta/Archive/log', 'mkDir=true');
    await s.allocate({ path: '/jfs/Jotta/Archive/log/x', bytes: 1, md5: md5('x') });
    const log = (await (await fetch(`${h.emu.url}/_emulator/requests`)).json()) as { method: string; path: string; query: string; status: number; requestBytes: number; grantType?: string; time: number }[];
    assert.deepEqual(log, h.emu.controls.requests());
    assert.equal(log[0]!.grantType, 'password');
    assert.ok(log[0]!.requestBytes > 0);
    const mk = log.find((e) => e.query === 'mkDir=true')!;
    assert.equal(mk.method, 'POST');
    assert.equal(mk.path, `/jfs/${s.user}/Jotta/Archive/log`);
    assert.equal(mk.status, 200);
    const alloc = log.find((e) => e.path === '/files/v1/allocate')!;
    assert.equal(alloc.requestBytes, JSON.stringify({ path: '/jfs/Jotta/Archive/log/x', bytes: 1, md5: md5('x') }).length);
    assert.ok(log.every((e) => !e.path.startsWith('/_emulator')));
    assert.ok(log.every((e) => typeof e.time === 'number'));
  });

  it('failNext from code: `times` matching requests get the status in the host\'s error shape, with Retry-After', async () => {
    h.emu.controls.failNext({ method: 'GET', path: /\/flaky$/, status: 503, times: 2, retryAfter: 7 });
    await s.post('Jotta/Archive/flaky', 'mkDir=true'); // POST: not matched by method
    const a = await s.get('Jotta/Archive/flaky');
    assert.equal(a.status, 503);
    assert.equal(a.headers.get('retry-after'), '7');
    assert.equal(textOf(await a.text(), 'code'), '503');
    assert.equal((await s.get('Jotta/Archive/flaky')).status, 503);
    assert.equal((await s.get('Jotta/Archive/flaky')).status, 200);
    h.emu.controls.failNext({ path: '^/files/v1/allocate$', status: 429, times: 1 });
    const alloc = await s.allocate({ path: '/jfs/Jotta/Archive/flaky/y', bytes: 1, md5: md5('y') });
    assert.equal(alloc.status, 429);
    assert.equal((alloc.json as unknown as { code: number }).code, 429, 'JSON shape on the API host');
  });

  it('failNext over HTTP: POST /_emulator/fail with a regex string; bad rules are 400', async () => {
    assert.equal((await control('fail', { method: 'GET', path: 'over-http$', status: 500, times: 1 })).status, 200);
    assert.equal((await s.get('Jotta/Archive/over-http')).status, 500);
    assert.equal((await control('fail', { path: '(', status: 500, times: 1 })).status, 400);
    assert.equal((await control('fail', { path: 'x', status: 'nope' })).status, 400);
    assert.equal((await fetch(`${h.emu.url}/_emulator/fail`, { method: 'POST', body: '{not json' })).status, 400);
  });

  it('delay from code and over HTTP holds matching requests back', async () => {
    h.emu.controls.delay({ path: /slow-code$/, ms: 300 });
    let t0 = Date.now();
    await s.get('Jotta/Archive/slow-code');
    assert.ok(Date.now() - t0 >= 280);
    assert.equal((await control('delay', { path: 'slow-http$', ms: 300 })).status, 200);
    t0 = Date.now();
    await s.get('Jotta/Archive/slow-http');
    assert.ok(Date.now() - t0 >= 280);
  });

  for (const via of ['code', 'http'] as const) {
    it(`releaseDelays (${via}): a request held by a long delay goes on at once, and the rule is gone`, async () => {
      h.emu.controls.delay({ path: /held$/, ms: 600_000 });
      const held = s.get('Jotta/Archive/held');
      // The request is logged when it arrives, before the delay holds it.
      while (!h.emu.controls.requests().some((e) => e.path.endsWith('/held'))) await new Promise((r) => setTimeout(r, 10));
      if (via === 'code') h.emu.controls.releaseDelays();
      else assert.equal((await control('release-delays')).status, 200);
      // Neither request could answer within the spec's timeout were it still held.
      assert.equal((await held).status, 404);
      assert.equal((await s.get('Jotta/Archive/held')).status, 404);
    });
  }

  for (const via of ['code', 'http'] as const) {
    it(`cutUploadAfter (${via}): the connection dies after N body bytes, which are kept (resume_pos advances)`, async () => {
      const data = Buffer.alloc(200_000);
      for (let i = 0; i < data.length; i++) data[i] = (i * (via === 'code' ? 7 : 11)) % 256;
      const { json } = await s.allocate({ path: `/jfs/Jotta/Archive/cut/${via}.bin`, bytes: data.length, md5: md5(data) });
      assert.equal(json.state, 'INCOMPLETE');
      if (via === 'code') h.emu.controls.cutUploadAfter(50_000);
      else assert.equal((await control('cut-upload', { afterBytes: 50_000 })).status, 200);
      await assert.rejects(fetch(json.upload_url, s.auth({ method: 'POST', body: data })));
      const again = await s.allocate({ path: `/jfs/Jotta/Archive/cut/${via}.bin`, bytes: data.length, md5: md5(data) });
      assert.equal(again.json.resume_pos, 50_000);
      const res = await fetch(again.json.upload_url, s.auth({ method: 'POST', body: data.subarray(50_000), headers: { range: `bytes=50000-${data.length - 1}` } }));
      assert.equal(res.status, 200);
      const uploads = h.emu.controls.requests().filter((e) => e.path.startsWith('/files/v1/upload/'));
      assert.deepEqual(uploads.map((e) => e.requestBytes), [50_000, 150_000]);
      const back = Buffer.from(await (await fetch(`${s.jfs(`Jotta/Archive/cut/${via}.bin`)}?mode=bin`, s.auth())).arrayBuffer());
      assert.equal(md5(back), md5(data));
    });
  }

  for (const via of ['code', 'http'] as const) {
    it(`expireTokens (${via}): every issued access token answers 401; refresh still works`, async () => {
      const t = await exchange(h.emu);
      const url = `${h.emu.urls.api}account/v1/customer`;
      if (via === 'code') h.emu.controls.expireTokens();
      else assert.equal((await control('expire-tokens')).status, 200);
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${t.access_token}` } })).status, 401);
      const r = await fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'refresh_token', refresh_token: t.refresh_token }));
      assert.equal(r.status, 200);
      const fresh = (await r.json()) as { access_token: string };
      assert.equal((await fetch(url, { headers: { authorization: `Bearer ${fresh.access_token}` } })).status, 200);
      s = await session(h.emu);
    });

    it(`revokeRefreshTokens (${via}): every refresh token family is revoked`, async () => {
      const t = await exchange(h.emu);
      if (via === 'code') h.emu.controls.revokeRefreshTokens();
      else assert.equal((await control('revoke-refresh-tokens')).status, 200);
      const r = await fetch(h.emu.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'refresh_token', refresh_token: t.refresh_token }));
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as { error: string }).error, 'invalid_grant');
      // A new login still works.
      await exchange(h.emu);
    });
  }

  it('POST /_emulator/login-token mints a usable single-use token; reset clears fail rules and the log', async () => {
    const res = await control('login-token');
    const { loginToken } = (await res.json()) as { loginToken: string };
    assert.equal(decodeLoginToken(loginToken).username, h.emu.username);
    await exchange(h.emu, loginToken);
    h.emu.controls.failNext({ path: /never-hit$/, status: 500, times: 1 });
    assert.equal((await control('reset')).status, 200);
    assert.deepEqual(h.emu.controls.requests(), []);
    assert.equal((await s.get('Jotta/Archive/never-hit')).status, 404);
  });

  it('control paths are never fault targets', async () => {
    h.emu.controls.failNext({ path: /.*/, status: 500, times: 5 });
    assert.equal((await fetch(`${h.emu.url}/_emulator/requests`)).status, 200);
    assert.equal((await control('reset')).status, 200);
  });
});
