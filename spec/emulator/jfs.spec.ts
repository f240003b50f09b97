import assert from 'node:assert/strict';
import { XMLValidator } from 'fast-xml-parser';
import { after, before, describe, it } from 'mocha';
import { allText, attr, md5, session, textOf, type Session } from './helpers.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';

/** rclone's liststream consistency check, recomputed independently. */
function rcloneListStreamCheck(xml: string, prefix: string): { folders: number; files: number; ok: boolean; entries: string[] } {
  let folders = 0;
  let files = 0;
  const seen = new Set<string>();
  const entries: string[] = [];
  const strip = (p: string) => (p.startsWith(prefix) ? p.slice(prefix.length) : p).replace(/^\//, '');
  for (const m of xml.matchAll(/<folder><path>([^<]*)<\/path><\/folder>|<file><path>([^<]*)<\/path><filename>([^<]*)<\/filename>/g)) {
    if (m[1] !== undefined) {
      folders += 1;
      const p = strip(m[1]);
      seen.add(p);
      if (p !== '') entries.push(`${p}/`);
    } else {
      files += 1;
      const parent = strip(m[2]!);
      if (!seen.has(parent)) {
        seen.add(parent);
        folders += 1;
      }
      entries.push(parent ? `${parent}/${m[3]}` : m[3]!);
    }
  }
  const stats = /<stats><folders>(\d+)<\/folders><files>(\d+)<\/files><\/stats>/.exec(xml);
  return { folders, files, entries, ok: !!stats && Number(stats[1]) === folders && Number(stats[2]) === files };
}

describe('emulator JFS', () => {
  let h: TestEmulator;
  let s: Session;
  before(async () => {
    h = await startTestEmulator();
    s = await session(h.emu);
  });
  after(() => h.close());

  const xml = async (res: Response) => {
    const body = await res.text();
    assert.equal(XMLValidator.validate(body), true, body);
    return body;
  };

  it('customer JSON names the JFS username', async () => {
    const c = (await (await s.api('account/v1/customer')).json()) as Record<string, unknown>;
    assert.equal(c.username, h.emu.username);
    for (const k of ['email', 'name', 'account_type', 'subscription_type', 'usage', 'quota', 'write_locked', 'read_locked']) assert.ok(k in c, k);
  });

  it('user XML: capacity -1, usage, the Jotta device; no username is 400 UsernameNotFoundException', async () => {
    const body = await xml(await fetch(`${h.emu.urls.jfs}${s.user}`, s.auth()));
    assert.match(body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<user time="\d{4}-\d\d-\d\d-T\d\d:\d\d:\d\dZ" host="[^"]+">/);
    assert.equal(textOf(body, 'capacity'), '-1');
    assert.equal(textOf(body, 'username'), s.user);
    assert.match(body, /<device><name xml:space="preserve">Jotta<\/name>.*<type>JOTTA<\/type>/);
    const none = await fetch(h.emu.urls.jfs, s.auth());
    assert.equal(none.status, 400);
    assert.match(textOf(await none.text(), 'message') ?? '', /UsernameNotFoundException: Username not found in url!/);
  });

  it('device XML lists Archive, Latest, Links, Shared, Sync, Trash; case-insensitive device name', async () => {
    const body = await xml(await s.get('jOTTA'));
    assert.deepEqual(allText(body, 'name'), ['Jotta', 'Archive', 'Latest', 'Links', 'Shared', 'Sync', 'Trash']);
    assert.match(body, /<metadata first="" max="" total="6" num_mountpoints="6"\/>/);
    assert.equal((await s.get('NoSuchDevice')).status, 404);
  });

  it('mkDir creates parents, is idempotent, answers a <folder> without metadata', async () => {
    const res = await s.post('Jotta/Archive/mk/a/b', 'mkDir=true');
    assert.equal(res.status, 200);
    const body = await xml(res);
    assert.equal(attr(body, 'folder', 'name'), 'b');
    assert.equal(textOf(body, 'path'), `/${s.user}/Jotta/Archive/mk/a`);
    assert.doesNotMatch(body, /<metadata/);
    assert.equal((await s.post('Jotta/Archive/mk/a/b', 'mkDir=true')).status, 200);
    const parent = await xml(await s.get('Jotta/Archive/mk/a'));
    assert.match(parent, /<folders><folder name="b"\/><\/folders>/);
    assert.doesNotMatch(parent, /<files>/, 'empty wrappers are omitted');
    assert.match(parent, /<metadata first="" max="" total="1" num_folders="1" num_files="0"\/>/);
  });

  it('mount point listing is a <mountPoint> with name, path, size, device, user', async () => {
    await s.upload('Jotta/Sync/top.txt', 'top');
    const body = await xml(await s.get('Jotta/Sync'));
    assert.match(body, /^<\?xml[^>]*>\n<mountPoint /);
    assert.equal(textOf(body, 'name'), 'Sync');
    assert.equal(textOf(body, 'path'), `/${s.user}/Jotta`);
    assert.equal(textOf(body, 'device'), 'Jotta');
    assert.equal(textOf(body, 'user'), s.user);
    assert.equal(attr(body, 'file', 'name'), 'top.txt');
    assert.equal(textOf(body, 'size'), '3');
  });

  it('dl trashes: tombstone with deleted + abspath stays in the listing, GET on it is 200 with deleted; dl of a missing path is 200', async () => {
    await s.upload('Jotta/Archive/tr/gone.txt', 'bye');
    assert.equal((await s.post('Jotta/Archive/tr/gone.txt', 'dl=true')).status, 200);
    const listing = await xml(await s.get('Jotta/Archive/tr'));
    assert.match(listing, /<file name="gone.txt" uuid="[^"]+" deleted="[^"]+"><abspath xml:space="preserve">[^<]+\/tr<\/abspath><currentRevision>/);
    const doc = await xml(await s.get('Jotta/Archive/tr/gone.txt'));
    assert.ok(attr(doc, 'file', 'deleted'));
    assert.equal((await s.post('Jotta/Archive/tr/never-there.txt', 'dl=true')).status, 200);
    assert.equal((await s.post('Jotta/Archive/tr/gone.txt', 'dl=true')).status, 200, 'already trashed');
    // A trashed file still downloads (unconfirmed; the emulator's choice).
    assert.equal(await (await fetch(`${s.jfs('Jotta/Archive/tr/gone.txt')}?mode=bin`, s.auth())).text(), 'bye');
  });

  it('rm deletes for good; rm of a missing path or a folder is 404 NoSuchFileException', async () => {
    await s.upload('Jotta/Archive/rm/x.txt', 'x');
    assert.equal((await s.post('Jotta/Archive/rm/x.txt', 'rm=true')).status, 200);
    assert.equal((await s.get('Jotta/Archive/rm/x.txt')).status, 404);
    const missing = await s.post('Jotta/Archive/rm/x.txt', 'rm=true');
    assert.equal(missing.status, 404);
    assert.match(textOf(await missing.text(), 'message') ?? '', /NoSuchFileException/);
    assert.equal((await s.post('Jotta/Archive/rm', 'rm=true')).status, 404);
  });

  it('dlDir trashes the folder and descendants with one timestamp; Trash view lists the root once; mkDir revives; rmDir purges', async () => {
    await s.upload('Jotta/Archive/dd/sub/f.txt', 'f');
    const res = await s.post('Jotta/Archive/dd/sub', 'dlDir=true');
    assert.equal(res.status, 200);
    const stamp = attr(await xml(res), 'folder', 'deleted');
    assert.ok(stamp);
    const inner = await xml(await s.get('Jotta/Archive/dd/sub/f.txt'));
    assert.equal(attr(inner, 'file', 'deleted'), stamp);
    const trash = await xml(await s.get('Jotta/Trash'));
    assert.match(trash, /<folder name="sub" deleted="[^"]+" contextType="TRASH"><abspath xml:space="preserve">[^<]*\/Archive\/dd<\/abspath><\/folder>/);
    assert.doesNotMatch(trash, /name="f.txt"/, 'children of a deleted folder are not repeated');
    assert.equal((await s.post('Jotta/Archive/dd/sub', 'mkDir=true')).status, 200);
    assert.equal(attr(await xml(await s.get('Jotta/Archive/dd/sub')), 'folder', 'deleted'), undefined);
    assert.match(await xml(await s.get('Jotta/Trash')), /name="f.txt"[^>]*contextType="TRASH"/, 'the still-trashed child is now a root of its own');
    const rmDir = await s.post('Jotta/Archive/dd/sub', 'rmDir=true');
    assert.equal(rmDir.status, 200);
    assert.match(await rmDir.text(), /<mountPoint /);
    assert.equal((await s.get('Jotta/Archive/dd/sub')).status, 404);
    assert.equal((await s.post('Jotta/Archive/dd/sub', 'rmDir=true')).status, 404);
  });

  it('mv moves and renames a file keeping times; the response is the destination document; missing source 404', async () => {
    await s.upload('Jotta/Archive/mv/a.txt', 'move me', { created: '2021-01-01T00:00:00Z', modified: '2021-02-02T00:00:00Z' });
    const res = await s.post('Jotta/Archive/mv/a.txt', `mv=${encodeURIComponent(`/${s.user}/Jotta/Sync/moved/b + c.txt`)}`);
    assert.equal(res.status, 200);
    const doc = await xml(res);
    assert.equal(attr(doc, 'file', 'name'), 'b + c.txt');
    assert.equal(textOf(doc, 'modified'), '2021-02-02-T00:00:00Z');
    assert.equal(textOf(doc, 'created'), '2021-01-01-T00:00:00Z');
    assert.equal((await s.get('Jotta/Archive/mv/a.txt')).status, 404);
    assert.equal(await (await fetch(`${s.jfs('Jotta/Sync/moved/b + c.txt')}?mode=bin`, s.auth())).text(), 'move me');
    const missing = await s.post('Jotta/Archive/mv/a.txt', `mv=${encodeURIComponent(`/${s.user}/Jotta/Archive/mv/z.txt`)}`);
    assert.equal(missing.status, 404);
    assert.match(textOf(await missing.text(), 'message') ?? '', /Source file .* does not exist/);
  });

  it('cp copies; cp onto a trashed file leaves it trashed (a service quirk) and cphash restores it', async () => {
    await s.upload('Jotta/Archive/cp/src.txt', 'copy me');
    await s.upload('Jotta/Archive/cp/dst.txt', 'old');
    await s.post('Jotta/Archive/cp/dst.txt', 'dl=true');
    const res = await s.post('Jotta/Archive/cp/src.txt', `cp=${encodeURIComponent(`/${s.user}/Jotta/Archive/cp/dst.txt`)}`);
    assert.equal(res.status, 200);
    const doc = await xml(res);
    assert.ok(attr(doc, 'file', 'deleted'), 'quirk: still in trash');
    assert.equal(textOf(doc, 'state'), 'COMPLETED');
    const restore = await s.post('Jotta/Archive/cp/dst.txt', 'cphash=true', {
      headers: { JSize: '7', JMd5: md5('copy me'), JCreated: '0001-01-01-T00:00:00Z', JModified: '0001-01-01-T00:00:00Z' },
    });
    assert.equal(restore.status, 200);
    const restored = await xml(restore);
    assert.equal(attr(restored, 'file', 'deleted'), undefined);
    assert.notEqual(textOf(restored, 'modified'), '0001-01-01-T00:00:00Z', 'pre-1970 times keep the existing value');
    assert.equal((await s.get('Jotta/Archive/cp/src.txt')).status, 200, 'the source stays');
  });

  it('cphash: same content updates times without a new revision; known content creates the file; unknown is 404', async () => {
    await s.upload('Jotta/Archive/ch/f.txt', 'hash me');
    const touch = await s.post('Jotta/Archive/ch/f.txt', 'cphash=true', { headers: { JSize: '7', JMd5: md5('hash me'), JCreated: '2019-01-01-T00:00:00Z', JModified: '2019-06-06-T06:06:06+0100' } });
    assert.equal(touch.status, 200);
    const doc = await xml(touch);
    assert.equal(textOf(doc, 'modified'), '2019-06-06-T05:06:06Z');
    assert.equal(textOf(doc, 'number'), '1');
    const dedup = await s.post('Jotta/Archive/ch/other.txt', 'cphash=true', { headers: { JSize: '7', JMd5: md5('hash me'), JModified: '2019-01-01-T00:00:00Z' } });
    assert.equal(dedup.status, 200);
    const miss = await s.post('Jotta/Archive/ch/none.txt', 'cphash=true', { headers: { JSize: '3', JMd5: md5('zzz') } });
    assert.equal(miss.status, 404);
    assert.equal((await s.post('Jotta/Archive/ch/none.txt', 'cphash=true')).status, 400, 'headers are required');
  });

  it('mvDir needs the trailing slash on the source and creates the destination parents', async () => {
    await s.upload('Jotta/Archive/md/src/inner.txt', 'i');
    const dst = encodeURIComponent(`/${s.user}/Jotta/Archive/md/new/parent/Renamed`);
    const noSlash = await fetch(`${s.jfs('Jotta/Archive/md/src')}?mvDir=${dst}`, s.auth({ method: 'POST' }));
    assert.equal(noSlash.status, 404);
    const res = await fetch(`${s.jfs('Jotta/Archive/md/src')}/?mvDir=${dst}`, s.auth({ method: 'POST' }));
    assert.equal(res.status, 200);
    assert.equal(attr(await xml(res), 'folder', 'name'), 'Renamed');
    assert.equal(await (await fetch(`${s.jfs('Jotta/Archive/md/new/parent/Renamed/inner.txt')}?mode=bin`, s.auth())).text(), 'i');
    assert.equal((await s.get('Jotta/Archive/md/src')).status, 404);
  });

  it('liststream: the folder first, folders before their files, only live completed files, stats pass rclone\'s check', async () => {
    await s.upload('Jotta/Archive/ls/a/one.txt', '1');
    await s.upload('Jotta/Archive/ls/a/b/two.txt', '22');
    await s.post('Jotta/Archive/ls/empty', 'mkDir=true');
    await s.upload('Jotta/Archive/ls/trashed.txt', 't');
    await s.post('Jotta/Archive/ls/trashed.txt', 'dl=true');
    await s.allocate({ path: '/jfs/Jotta/Archive/ls/pending.bin', bytes: 5, md5: md5('12345') });
    const body = await xml(await fetch(`${s.jfs('Jotta/Archive/ls')}?mode=liststream`, s.auth()));
    const check = rcloneListStreamCheck(body, '/Archive/ls');
    assert.ok(check.ok, body);
    assert.deepEqual(check.entries.sort(), ['a/', 'a/b/', 'a/b/two.txt', 'a/one.txt', 'empty/']);
    assert.match(body, /<modified>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z<\/modified>/);
    const root = await fetch(`${s.jfs('Jotta/Archive')}?mode=liststream`, s.auth());
    assert.ok(rcloneListStreamCheck(await root.text(), '/Archive').ok);
    assert.equal((await fetch(`${s.jfs('Jotta/Archive/ls/nope')}?mode=liststream`, s.auth())).status, 404);
  });

  it('enableShare/disableShare (GET): publicURI of 32 hex appears and goes; Links view; public download without auth', async () => {
    await s.upload('Jotta/Archive/share/pub.txt', 'public bytes');
    const on = await xml(await fetch(`${s.jfs('Jotta/Archive/share/pub.txt')}?mode=enableShare`, s.auth()));
    const uri = textOf(on, 'publicURI');
    assert.match(uri ?? '', /^[0-9a-f]{32}$/);
    const links = await xml(await s.get('Jotta/Links'));
    assert.match(links, /^<\?xml[^>]*>\n<searchresult /);
    assert.equal(textOf(links, 'publicURI'), uri);
    const pub = await fetch(`${h.emu.urls.www}opin/io/downloadPublic/${s.user}/${uri}`);
    assert.equal(pub.status, 200);
    assert.equal(await pub.text(), 'public bytes');
    const off = await xml(await fetch(`${s.jfs('Jotta/Archive/share/pub.txt')}?mode=disableShare`, s.auth()));
    assert.equal(textOf(off, 'publicURI'), undefined);
    assert.equal((await fetch(`${h.emu.urls.www}opin/io/downloadPublic/${s.user}/${uri}`)).status, 404);
    assert.equal((await fetch(`${s.jfs('Jotta/Archive/share/nothing')}?mode=enableShare`, s.auth())).status, 404);
  });

  it('Latest lists recent files; special mount points are read-only', async () => {
    await s.upload('Jotta/Archive/latest/new.txt', 'n');
    const latest = await xml(await fetch(`${s.jfs('Jotta/Latest')}?sort=updated&max=10&web=true`, s.auth()));
    assert.match(latest, /<file name="new.txt"/);
    assert.equal((await s.post('Jotta/Trash/x', 'mkDir=true')).status, 400);
    const alloc = await s.allocate({ path: '/jfs/Jotta/Links/x.txt', bytes: 1, md5: md5('x') });
    assert.equal(alloc.status, 400);
  });

  it('a file document carries path, abspath, currentRevision with every field; mode=bin on a folder is 404', async () => {
    await s.upload('Jotta/Archive/doc/report.pdf', 'pdf!', { created: '2024-01-10T08:00:00Z', modified: '2024-01-12T16:45:10Z' });
    const doc = await xml(await s.get('Jotta/Archive/doc/report.pdf'));
    assert.match(doc, /<currentRevision><number>1<\/number><state>COMPLETED<\/state><created>2024-01-10-T08:00:00Z<\/created><modified>2024-01-12-T16:45:10Z<\/modified><mime>application\/pdf<\/mime><mstyle>APPLICATION_PDF<\/mstyle><size>4<\/size><md5>[0-9a-f]{32}<\/md5><updated>[^<]+<\/updated><\/currentRevision>/);
    assert.match(attr(doc, 'file', 'uuid') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal((await fetch(`${s.jfs('Jotta/Archive/doc')}?mode=bin`, s.auth())).status, 404);
  });

  it('custom devices and mount points: POST ?type= is 201; POST on a new mount point is 201, then 200', async () => {
    const dev = await fetch(`${h.emu.urls.jfs}${s.user}/WORKPC?type=WORKSTATION`, s.auth({ method: 'POST' }));
    assert.equal(dev.status, 201);
    assert.equal(textOf(await dev.text(), 'type'), 'WORKSTATION');
    assert.equal((await s.post('WORKPC/Backup', '')).status, 201);
    assert.equal((await s.post('WORKPC/Backup', '')).status, 200);
    await s.upload('WORKPC/Backup/x.txt', 'x');
    assert.equal((await s.get('WORKPC/Backup/x.txt')).status, 200);
  });
});
