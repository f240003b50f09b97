import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { after, before, describe, it } from 'mocha';
import { attr, md5, raw, session, textOf, unescapeXml, type Session } from './helpers.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

describe('emulator names and paths', () => {
  let h: TestEmulator;
  let s: Session;
  before(async () => {
    h = await startTestEmulator();
    s = await session(h.emu);
  });
  after(() => h.close());

  it("rclone's hostile test tree round-trips: upload, listing, liststream, download", async () => {
    const dirs = ['hello？ sausage', 'êé', 'Hello, 世界', ' ＂ \' @ ＜ ＞ & ？ + ≠'];
    const path = `Jotta/Archive/${dirs.join('/')}/z.txt`;
    await s.upload(path, 'hostile');
    assert.equal(await (await fetch(`${s.jfs(path)}?mode=bin`, s.auth())).text(), 'hostile');
    const listing = await (await s.get(`Jotta/Archive/${dirs.slice(0, 3).join('/')}`)).text();
    assert.equal(XMLValidator.validate(listing), true);
    assert.equal(unescapeXml(attr(listing.slice(listing.indexOf('<folders>')), 'folder', 'name') ?? ''), dirs[3]);
    const doc = await (await s.get(path)).text();
    assert.equal(unescapeXml(textOf(doc, 'path') ?? ''), `/${s.user}/Jotta/Archive/${dirs.join('/')}`);
    const stream = await (await fetch(`${s.jfs('Jotta/Archive/hello？ sausage')}?mode=liststream`, s.auth())).text();
    assert.equal(XMLValidator.validate(stream), true);
    assert.ok(stream.includes(`<path>/Archive/${dirs.join('/').replace(/&/g, '&amp;').replace(/'/g, '&apos;')}</path><filename>z.txt</filename>`), stream);
  });

  it('names are case-insensitive and case-preserving at every level', async () => {
    await s.upload('Jotta/Archive/Case/Foo.txt', 'one');
    await s.upload('jotta/ARCHIVE/case/FOO.TXT', 'two');
    const listing = await (await s.get('Jotta/Archive/CASE')).text();
    assert.equal(attr(listing, 'folder', 'name'), 'Case');
    assert.equal(attr(listing, 'file', 'name'), 'Foo.txt', 'the original spelling is kept');
    assert.match(listing, /<number>2<\/number>/, 'the second upload was a new revision of the same file');
    assert.equal((listing.match(/<file /g) ?? []).length, 1);
    const mk = await s.post('Jotta/Archive/CASE/sub', 'mkDir=true');
    assert.equal(textOf(await mk.text(), 'path'), `/${s.user}/Jotta/Archive/Case`);
  });

  it('a literal + in the URL path is read as a space; %2B is a plus', async () => {
    await s.upload('Jotta/Archive/plus/notepad++.exe', 'pp');
    await s.upload('Jotta/Archive/plus/a b.txt', 'space');
    const raw = await fetch(`${h.emu.urls.jfs}${s.user}/Jotta/Archive/plus/a+b.txt?mode=bin`, s.auth());
    assert.equal(await raw.text(), 'space');
    const escaped = await fetch(`${h.emu.urls.jfs}${s.user}/Jotta/Archive/plus/notepad%2B%2B.exe?mode=bin`, s.auth());
    assert.equal(await escaped.text(), 'pp');
    assert.equal((await fetch(`${h.emu.urls.jfs}${s.user}/Jotta/Archive/plus/notepad++.exe`, s.auth())).status, 404);
  });

  it('255 UTF-16 units is the limit; 256 is 400 InvalidArgumentException', async () => {
    const ok = `${'é'.repeat(250)}.txt1`;
    assert.equal(ok.length, 255);
    assert.equal((await s.post(`Jotta/Archive/len/${ok}`, 'mkDir=true')).status, 200);
    const emoji = '😀'.repeat(128); // 256 UTF-16 units in 128 characters
    for (const name of [`${ok}x`, emoji]) {
      const res = await s.post(`Jotta/Archive/len/${name}`, 'mkDir=true');
      assert.equal(res.status, 400);
      assert.equal(textOf(await res.text(), 'message'), 'no.jotta.backup.errors.InvalidArgumentException: JFS file names may not be longer than 255 characters');
    }
    const alloc = await s.allocate({ path: `/jfs/Jotta/Archive/len/${'a'.repeat(256)}`, bytes: 1, md5: md5('a') });
    assert.equal(alloc.status, 400);
  });

  it('a decoded % in a name gets the bare non-XML "400 Bad request"', async () => {
    const res = await fetch(`${h.emu.urls.jfs}${s.user}/Jotta/Archive/100%25`, s.auth());
    assert.equal(res.status, 400);
    const body = await res.text();
    assert.equal(body, '400 Bad request');
    assert.doesNotMatch(res.headers.get('content-type') ?? '', /xml/);
    const alloc = await fetch(`${h.emu.urls.api}files/v1/allocate`, s.auth({ method: 'POST', body: JSON.stringify({ path: '/jfs/Jotta/Archive/50%.txt', bytes: 1, md5: md5('x') }) }));
    assert.equal(alloc.status, 400);
    assert.equal(await alloc.text(), '400 Bad request');
  });

  it('raw reserved characters (" * : < > ? |, control characters, . and ..) are 400 InvalidArgumentException', async () => {
    for (const name of ['a"b', 'a*b', 'a:b', 'a<b', 'a>b', 'a?b', 'a|b', 'tab\there', 'del\u007f', '.', '..']) {
      const target = `/jfs/${s.user}/Jotta/Archive/res/${encodeURIComponent(name).replace(/\*/g, '%2A').replace(/\./g, '%2E')}?mkDir=true`;
      const res = await raw(h.emu.url, target, { method: 'POST', headers: { authorization: `Bearer ${s.token}` } });
      assert.equal(res.status, 400, name);
      assert.match(textOf(res.body, 'message') ?? '', /InvalidArgumentException/, name);
    }
    // Their look-alikes (rclone's encoding) are fine, and so is what rclone sends raw.
    assert.equal((await s.post('Jotta/Archive/res/a＂＊：＜＞？｜b', 'mkDir=true')).status, 200);
    for (const name of ['back\\slash', '#hash', 'semi;colon', 'trailing dot.', ' leading space', "a&b+c'd!e~f@g,h=i$j"]) {
      assert.equal((await s.post(`Jotta/Archive/res/${name}`, 'mkDir=true')).status, 200, name);
      assert.equal((await s.get(`Jotta/Archive/res/${name}`)).status, 200, name);
    }
  });

  it('malformed percent-encoding in a path is 400 with the XML error', async () => {
    const res = await fetch(`${h.emu.urls.jfs}${s.user}/Jotta/Archive/bad%E9name`, s.auth());
    assert.equal(res.status, 400);
    assert.equal(textOf(await res.text(), 'code'), '400');
    const res2 = await fetch(`${h.emu.urls.jfs}${s.user}/Jotta/Archive/bad%zz`, s.auth());
    assert.equal(res2.status, 400);
  });
});
