import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'mocha';
import { md5, raw, session, textOf, type Session } from './helpers.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

describe('emulator robustness: bad input gets the service error shape, never a crash', () => {
  let h: TestEmulator;
  let s: Session;
  let bearer: Record<string, string>;
  before(async () => {
    h = await startTestEmulator();
    s = await session(h.emu);
    bearer = { authorization: `Bearer ${s.token}` };
  });
  after(() => h.close());

  it('unknown paths are 404 with the XML error body', async () => {
    for (const path of ['/', '/nope', '/files/v2/allocate', '/auth/realms/other/.well-known/openid-configuration', '/opin/io/x']) {
      const res = await raw(h.emu.url, path);
      assert.equal(res.status, 404, path);
      // Each host answers in its own shape: JSON on the API host, OAuth JSON on identity, XML elsewhere.
      if (path.startsWith('/files/')) assert.equal((JSON.parse(res.body) as { code: number }).code, 404, path);
      else if (path.startsWith('/auth/')) assert.ok(JSON.parse(res.body) as object, path);
      else assert.equal(textOf(res.body, 'code'), '404', path);
    }
  });

  it('malformed JSON and bad allocate fields are 400 JSON with error_id', async () => {
    const bodies = ['{', '[]', 'null', '"x"', JSON.stringify({ path: '/jfs/Jotta/Archive/x', bytes: -1, md5: md5('x') }), JSON.stringify({ path: '/jfs/Jotta/Archive/x', bytes: 1, md5: 'nothex' }),
      JSON.stringify({ bytes: 1, md5: md5('x') }), JSON.stringify({ path: '/jfs/Jotta', bytes: 1, md5: md5('x') }), JSON.stringify({ path: '/jfs/Jotta/Archive/x', bytes: 1, md5: md5('x'), modified: 'yesterday' })];
    for (const body of bodies) {
      const res = await raw(h.emu.url, '/files/v1/allocate', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body });
      assert.equal(res.status, 400, body);
      const json = JSON.parse(res.body) as { code: number; error_id: string };
      assert.equal(json.code, 400);
      assert.equal(json.error_id, 'InvalidArgumentException', body);
    }
    const missingMount = await s.allocate({ path: '/jfs/Jotta/NoSuchMount/x', bytes: 1, md5: md5('x') });
    assert.equal(missingMount.status, 404);
  });

  it('bad JFS parameters: unknown mode or command, empty mv, mkDir=false, PUT → 4xx XML', async () => {
    const base = `/jfs/${s.user}/Jotta/Archive`;
    await s.post('Jotta/Archive/rb/f', 'mkDir=true');
    const cases: [string, string, number][] = [
      ['GET', `${base}/rb?mode=wat`, 400],
      ['POST', `${base}/rb?frobnicate=true`, 400],
      ['POST', `${base}/rb/f?mv=`, 400],
      ['POST', `${base}/rb/f?mkDir=false`, 400],
      ['POST', `${base}/rb/f/?mvDir=relative`, 400],
      ['POST', `${base}/rb/f?mv=%2Fsomeone-else%2FJotta%2FArchive%2Fx`, 404],
      ['PUT', `${base}/rb`, 405],
      ['DELETE', `${base}/rb`, 405],
      ['GET', `/jfs/someone-else/Jotta`, 403],
      ['GET', `${base}/rb/missing/deeper`, 404],
    ];
    for (const [method, target, status] of cases) {
      const res = await raw(h.emu.url, target, { method, headers: bearer });
      assert.equal(res.status, status, `${method} ${target}`);
      assert.equal(textOf(res.body, 'code'), String(status), `${method} ${target}`);
    }
  });

  it('an oversized JSON body is refused with 413 and the listener stays up', async () => {
    const res = await raw(h.emu.url, '/files/v1/allocate', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: Buffer.alloc(2 * 1024 * 1024, 0x20) });
    assert.equal(res.status, 413);
    assert.equal((await s.get('Jotta')).status, 200);
  });

  it('bad tokens in every form: 401 on JFS, API and upload URLs; a bad token body at the token endpoint is an OAuth error', async () => {
    for (const auth of ['Bearer', 'Bearer ', 'Basic abc', 'Bearer a.b.c', `Bearer ${s.token}x`, 'garbage']) {
      assert.equal((await raw(h.emu.url, `/jfs/${s.user}`, { headers: { authorization: auth } })).status, 401, auth);
    }
    const { json } = await s.allocate({ path: '/jfs/Jotta/Archive/rb/up.bin', bytes: 3, md5: md5('abc') });
    const up = await raw(h.emu.url, new URL(json.upload_url).pathname, { method: 'POST', headers: { authorization: 'Bearer wrong' }, body: 'abc' });
    assert.equal(up.status, 401);
    const tok = await raw(h.emu.url, new URL(h.emu.urls.tokenEndpoint).pathname, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '%%%&&&==' });
    assert.ok(tok.status === 400 || tok.status === 401);
    assert.ok('error' in (JSON.parse(tok.body) as object));
  });

  it('250 malformed requests (bad escapes, bad JSON, garbage HTTP) and then a normal request still works', async () => {
    const attempts: Promise<unknown>[] = [];
    for (let i = 0; i < 250; i++) {
      switch (i % 5) {
        case 0:
          attempts.push(raw(h.emu.url, `/jfs/${s.user}/Jotta/Archive/%${i.toString(16)}%G${i}`, { headers: bearer }));
          break;
        case 1:
          attempts.push(raw(h.emu.url, '/files/v1/allocate', { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: `{"path":${i}` }));
          break;
        case 2:
          attempts.push(raw(h.emu.url, `/_emulator/fail`, { method: 'POST', body: `{"path":"[${i}","status":500,"times":1}` }));
          break;
        case 3:
          attempts.push(raw(h.emu.url, `/files/v1/upload/${'z'.repeat(i)}`, { method: 'POST', headers: { range: `bytes=${i}-x` }, body: 'x' }));
          break;
        default:
          attempts.push(
            new Promise<void>((resolve) => {
              const sock = connect(Number(new URL(h.emu.url).port), '127.0.0.1', () => sock.end(`\x00\x01GARBAGE ${i} \r\n\r\n`));
              sock.on('error', () => resolve());
              sock.on('close', () => resolve());
              sock.resume();
            }),
          );
      }
    }
    const results = await Promise.allSettled(attempts);
    for (const r of results) if (r.status === 'fulfilled' && r.value && typeof r.value === 'object' && 'status' in r.value) assert.ok((r.value as { status: number }).status >= 400);
    const ok = await s.upload('Jotta/Archive/rb/after-the-storm.txt', 'still here');
    assert.ok(ok);
    assert.equal(await (await fetch(`${s.jfs('Jotta/Archive/rb/after-the-storm.txt')}?mode=bin`, s.auth())).text(), 'still here');
  });
});
