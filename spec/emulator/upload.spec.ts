import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { decodeLoginToken, md5, session, textOf, type Session } from './helpers.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

describe('emulator upload API and download', () => {
  let h: TestEmulator;
  let s: Session;
  before(async () => {
    h = await startTestEmulator();
    s = await session(h.emu);
  });
  after(() => h.close());

  const send = (url: string, body: Buffer, headers: Record<string, string> = {}) => fetch(url, s.auth({ method: 'POST', body, headers }));

  it('allocate → INCOMPLETE with resume_pos 0 and an upload_url on the emulator; upload → completion JSON', async () => {
    const data = Buffer.from('first body');
    const { status, json } = await s.allocate({ path: '/jfs/Jotta/Archive/up/one.txt', bytes: data.length, md5: md5(data), created: '2024-01-10T08:00:00Z', modified: '2024-01-12T16:45:10+01:00' });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json).sort(), ['bytes', 'name', 'path', 'resume_pos', 'state', 'upload_id', 'upload_url']);
    assert.equal(json.state, 'INCOMPLETE');
    assert.equal(json.resume_pos, 0);
    assert.equal(json.name, 'one.txt');
    assert.ok(json.upload_url.startsWith(`${h.emu.url}/`));
    // Before the bytes arrive the file is an INCOMPLETE latestRevision.
    const pending = await (await s.get('Jotta/Archive/up/one.txt')).text();
    assert.match(pending, /<latestRevision><number>1<\/number><state>INCOMPLETE<\/state>/);
    assert.doesNotMatch(pending, /<currentRevision>/);
    const res = await send(json.upload_url, data);
    assert.equal(res.status, 200);
    const done = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(done).sort(), ['bytes', 'content_id', 'md5', 'modified', 'path']);
    assert.equal(done.md5, md5(data));
    assert.equal(done.bytes, data.length);
    assert.equal(done.modified, Date.parse('2024-01-12T15:45:10Z'));
    const doc = await (await s.get('Jotta/Archive/up/one.txt')).text();
    assert.equal(textOf(doc, 'state'), 'COMPLETED');
    assert.equal(textOf(doc, 'created'), '2024-01-10-T08:00:00Z');
    assert.equal(textOf(doc, 'modified'), '2024-01-12-T15:45:10Z');
    assert.equal(textOf(doc, 'mime'), 'text/plain');
  });

  it('all three allocate path layouts land in Jotta/Archive', async () => {
    for (const [path, name] of [['/jfs/Jotta/Archive/layouts/a.bin', 'a.bin'], ['/Archive/layouts/b.bin', 'b.bin'], ['Archive/layouts/c.bin', 'c.bin']] as const) {
      const data = Buffer.from(`layout ${name}`);
      const { json } = await s.allocate({ path, bytes: data.length, md5: md5(data) });
      assert.equal((await send(json.upload_url, data)).status, 200);
      assert.equal((await s.get(`Jotta/Archive/layouts/${name}`)).status, 200, name);
    }
  });

  it('dedup: content the account holds is COMPLETED without bytes; same file again too; zero length always', async () => {
    const data = Buffer.from('dedup me');
    await s.upload('Jotta/Archive/dedup/original.bin', data);
    const copy = await s.allocate({ path: '/jfs/Jotta/Archive/dedup/copy.bin', bytes: data.length, md5: md5(data) });
    assert.equal(copy.json.state, 'COMPLETED');
    assert.equal(textOf(await (await s.get('Jotta/Archive/dedup/copy.bin')).text(), 'md5'), md5(data));
    const same = await s.allocate({ path: '/jfs/Jotta/Archive/dedup/original.bin', bytes: data.length, md5: md5(data), modified: '2020-05-05T05:05:05Z' });
    assert.equal(same.json.state, 'COMPLETED');
    const doc = await (await s.get('Jotta/Archive/dedup/original.bin')).text();
    assert.equal(textOf(doc, 'modified'), '2020-05-05-T05:05:05Z', 'a COMPLETED allocate applies the timestamps');
    assert.equal(textOf(doc, 'number'), '1', 'no new revision for the same content');
    const empty = await s.allocate({ path: '/jfs/Jotta/Archive/dedup/zero-length-file', bytes: 0, md5: md5('') });
    assert.equal(empty.json.state, 'COMPLETED');
    const real = await fetch(`${s.jfs('Jotta/Archive/dedup/zero-length-file')}?mode=bin`, s.auth());
    assert.equal(real.status, 200);
    assert.equal((await real.arrayBuffer()).byteLength, 0);
  });

  it('a short body answers 420 IncompleteUploadOpenApiException and keeps the bytes; resume with Range, then with Content-Range', async () => {
    const data = Buffer.alloc(30_000, 7);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    const { json } = await s.allocate({ path: '/jfs/Jotta/Archive/resume/r.bin', bytes: data.length, md5: md5(data) });
    const part1 = await send(json.upload_url, data.subarray(0, 10_000));
    assert.equal(part1.status, 420);
    assert.equal(((await part1.json()) as { error_id: string }).error_id, 'IncompleteUploadOpenApiException');
    const again = await s.allocate({ path: '/jfs/Jotta/Archive/resume/r.bin', bytes: data.length, md5: md5(data) });
    assert.equal(again.json.state, 'INCOMPLETE');
    assert.equal(again.json.resume_pos, 10_000);
    assert.equal(again.json.upload_id, json.upload_id, 'the same session resumes');
    // A direct GET shows the bytes received so far as latestRevision size.
    assert.equal(textOf(await (await s.get('Jotta/Archive/resume/r.bin')).text(), 'size'), '10000');
    const part2 = await send(again.json.upload_url, data.subarray(10_000, 20_000), { range: `bytes=10000-${data.length - 1}` });
    assert.equal(part2.status, 420);
    const part3 = await send(again.json.upload_url, data.subarray(20_000), { 'content-range': `bytes 20000-${data.length - 1}/${data.length}` });
    assert.equal(part3.status, 200);
    const body = Buffer.from(await (await fetch(`${s.jfs('Jotta/Archive/resume/r.bin')}?mode=bin`, s.auth())).arrayBuffer());
    assert.deepEqual(body, data);
  });

  it('an offset beyond what was received is 416; an unknown upload id is 404', async () => {
    const data = Buffer.from('0123456789');
    const { json } = await s.allocate({ path: '/jfs/Jotta/Archive/resume/gap.bin', bytes: data.length, md5: md5(data) });
    const gap = await send(json.upload_url, data.subarray(5), { range: 'bytes=5-9' });
    assert.equal(gap.status, 416);
    const unknown = await send(`${h.emu.url}/files/v1/upload/doesnotexist`, data);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { code: number }).code, 404);
  });

  it('MD5 mismatch: the new revision is CORRUPT and the previous one stays current', async () => {
    const good = Buffer.from('good content');
    await s.upload('Jotta/Archive/corrupt/f.txt', good);
    const bad = Buffer.from('evil content');
    const { json } = await s.allocate({ path: '/jfs/Jotta/Archive/corrupt/f.txt', bytes: bad.length, md5: md5('something else!') });
    const res = await send(json.upload_url, bad);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error_id: string }).error_id, 'CorruptUploadOpenApiException');
    const doc = await (await s.get('Jotta/Archive/corrupt/f.txt')).text();
    assert.match(doc, /<currentRevision><number>1<\/number><state>COMPLETED<\/state>/);
    assert.match(doc, /<latestRevision><number>2<\/number><state>CORRUPT<\/state>/);
    const body = await (await fetch(`${s.jfs('Jotta/Archive/corrupt/f.txt')}?mode=bin`, s.auth())).text();
    assert.equal(body, 'good content');
  });

  it('each overwrite is a new revision; older ones are listed newest first', async () => {
    for (const v of ['v1', 'v22', 'v333']) await s.upload('Jotta/Archive/revs/doc.txt', v);
    const doc = await (await s.get('Jotta/Archive/revs/doc.txt')).text();
    assert.match(doc, /<currentRevision><number>3<\/number>/);
    const older = [...doc.matchAll(/<revision><number>(\d+)<\/number>/g)].map((m) => m[1]);
    assert.deepEqual(older, ['2', '1']);
  });

  it('download ranges: 206 with Content-Range, suffix range, 416 beyond the end', async () => {
    await s.upload('Jotta/Archive/range/r.txt', 'abcdefghij');
    const url = `${s.jfs('Jotta/Archive/range/r.txt')}?mode=bin`;
    const mid = await fetch(url, s.auth({ headers: { range: 'bytes=2-4' } }));
    assert.equal(mid.status, 206);
    assert.equal(mid.headers.get('content-range'), 'bytes 2-4/10');
    assert.equal(await mid.text(), 'cde');
    const suffix = await fetch(url, s.auth({ headers: { range: 'bytes=-3' } }));
    assert.equal(await suffix.text(), 'hij');
    const beyond = await fetch(url, s.auth({ headers: { range: 'bytes=10-' } }));
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), 'bytes */10');
    assert.equal(textOf(await beyond.text(), 'code'), '416');
    const whole = await fetch(url, s.auth());
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-length'), '10');
  });

  it('purge_trash removes tombstones and returns counts of trash roots', async () => {
    await s.upload('Jotta/Archive/purge/a/x.txt', 'x1');
    await s.upload('Jotta/Archive/purge/b.txt', 'b1');
    assert.equal((await s.post('Jotta/Archive/purge/a', 'dlDir=true')).status, 200);
    assert.equal((await s.post('Jotta/Archive/purge/b.txt', 'dl=true')).status, 200);
    const res = await s.api('files/v1/purge_trash', { method: 'POST' });
    assert.equal(res.status, 200);
    const counts = (await res.json()) as { folders: number; files: number };
    assert.ok(counts.folders >= 1 && counts.files >= 1, JSON.stringify(counts));
    assert.equal((await s.get('Jotta/Archive/purge/a')).status, 404);
    assert.equal((await s.get('Jotta/Archive/purge/b.txt')).status, 404);
  });
});

describe('emulator quota', () => {
  let h: TestEmulator;
  let s: Session;
  before(async () => {
    h = await startTestEmulator({ capacity: 100 });
    s = await session(h.emu);
  });
  after(() => h.close());

  it('(unconfirmed) allocate beyond the capacity answers 507 QuotaExceededException; usage counts trash', async () => {
    await s.upload('Jotta/Archive/q/a.bin', Buffer.alloc(60, 1));
    await s.post('Jotta/Archive/q/a.bin', 'dl=true');
    const user = await (await fetch(`${h.emu.urls.jfs}${s.user}`, s.auth())).text();
    assert.equal(textOf(user, 'capacity'), '100');
    assert.equal(textOf(user, 'usage'), '60');
    const data = Buffer.alloc(50, 2);
    const { status, json } = await s.allocate({ path: '/jfs/Jotta/Archive/q/b.bin', bytes: 50, md5: md5(data) });
    assert.equal(status, 507);
    assert.equal((json as unknown as { error_id: string }).error_id, 'QuotaExceededException');
    const customer = (await (await s.api('account/v1/customer')).json()) as { quota: number; usage: number };
    assert.equal(customer.quota, 100);
    assert.equal(customer.usage, 60);
  });
});

describe('emulator publicUrl', () => {
  it('upload URLs and well_known_link are built from publicUrl (a reverse proxy in front)', async () => {
    const h = await startTestEmulator({ publicUrl: 'http://127.0.0.1:9/prefix/' });
    try {
      const s = await session(h.emu);
      const { json } = await s.allocate({ path: '/jfs/Jotta/Archive/p.bin', bytes: 2, md5: md5('pp') });
      assert.match(json.upload_url, /^http:\/\/127\.0\.0\.1:9\/prefix\/files\/v1\/upload\/[A-Za-z0-9_-]+$/);
      assert.ok(decodeLoginToken(h.emu.mintLoginToken()).well_known_link.startsWith('http://127.0.0.1:9/prefix/auth/realms/jottacloud/'));
    } finally {
      await h.close();
    }
  });
});
