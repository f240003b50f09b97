/**
 * Hostile names round-trip: client → bridge → emulator → bridge → client, and on the emulator's
 * side they are stored in rclone's jottacloud encoding (fullwidth look-alikes for reserved ASCII,
 * NFC), so rclone and jottadav show the same names for the same files.
 */
import assert from 'node:assert/strict';
import type { FileStat } from 'webdav';
import { startStack, type Stack } from '../support/stack.js';
import { client, dav, decodedPaths, isAllocate, logLength, logSince, RemoteView } from './helpers.js';

// rclone's own hostile test tree (fstest/fstests), as the client sees it and as Jottacloud must store it.
const RCLONE_TREE = ['hello? sausage', 'êé', 'Hello, 世界', ` " ' @ < > & ? + ≠`, 'z.txt'];
const RCLONE_TREE_REMOTE = ['hello？ sausage', 'êé', 'Hello, 世界', ` ＂ ' @ ＜ ＞ & ？ + ≠`, 'z.txt'];

describe('e2e: hostile names through the whole stack', function () {
  this.timeout(30_000);
  let stack: Stack;
  let remote: RemoteView;

  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
    // PUT needs an existing parent (RFC 4918 §9.7.1).
    for (const dir of ['/names', '/unicode', '/unicode2', '/long', '/limits', '/limits2']) assert.equal((await dav(stack, 'MKCOL', dir)).status, 201);
  });
  after(async () => stack?.close());

  it("round-trips rclone's test tree and stores it in rclone's encoding", async () => {
    const webdav = client(stack);
    const dir = '/' + RCLONE_TREE.slice(0, -1).join('/');
    await webdav.createDirectory(dir, { recursive: true });
    await webdav.putFileContents(`${dir}/z.txt`, 'sausage');
    assert.equal(await webdav.getFileContents(`${dir}/z.txt`, { format: 'text' }), 'sausage');
    // Every level is listed through the bridge under the client's name.
    let path = '';
    for (const name of RCLONE_TREE) {
      const listing = (await webdav.getDirectoryContents(path || '/')) as FileStat[];
      assert.ok(listing.some((e) => e.basename === name), `${JSON.stringify(name)} listed in ${JSON.stringify(path || '/')}: ${JSON.stringify(listing.map((e) => e.basename))}`);
      path += `/${name}`;
    }
    // And on the emulator, level by level, in rclone's encoding.
    let remotePath = '';
    for (const name of RCLONE_TREE_REMOTE) {
      assert.ok((await remote.live(remotePath || '/')).includes(name), `${JSON.stringify(name)} stored in ${JSON.stringify(remotePath || '/')}`);
      remotePath += `/${name}`;
    }
    assert.equal((await remote.file(remotePath)).size, 'sausage'.length);
  });

  const cases: Array<{ client: string; remote: string }> = [
    { client: 'file % name.txt', remote: 'file ％ name.txt' },
    { client: 'a&b', remote: 'a&b' },
    { client: '+', remote: '+' },
    { client: '#', remote: '#' },
    { client: 'a+b c.txt', remote: 'a+b c.txt' },
    { client: 'ภาษาไทย.txt', remote: 'ภาษาไทย.txt' },
    { client: 'emoji 😀🎉.txt', remote: 'emoji 😀🎉.txt' },
    { client: ':?*"<>|', remote: '：？＊＂＜＞｜' },
    { client: 'trailing dot.', remote: 'trailing dot.' },
    { client: 'trailing space ', remote: 'trailing space ' },
    { client: ' leading space', remote: ' leading space' },
    { client: 'fullwidth ？ already', remote: 'fullwidth ‛？ already' },
  ];
  for (const c of cases) {
    it(`round-trips ${JSON.stringify(c.client)} (stored as ${JSON.stringify(c.remote)})`, async () => {
      const body = `content of ${c.client}`;
      const put = await dav(stack, 'PUT', `/names/${c.client}`, { body });
      assert.equal(put.status, 201, await put.text());
      const get = await dav(stack, 'GET', `/names/${c.client}`);
      assert.equal(get.status, 200);
      assert.equal(await get.text(), body);
      const listing = (await client(stack).getDirectoryContents('/names')) as FileStat[];
      assert.ok(listing.some((e) => e.basename === c.client), `listed: ${JSON.stringify(listing.map((e) => e.basename))}`);
      assert.ok((await remote.live('/names')).includes(c.remote), `stored as ${JSON.stringify(c.remote)}: ${JSON.stringify(await remote.live('/names'))}`);
    });
  }

  it('finds a name written in NFD (Finder) under its NFC spelling, stored once in NFC', async () => {
    const nfd = 'cafe\u0301 nfd.txt';
    const nfc = nfd.normalize('NFC');
    assert.notEqual(nfd, nfc);
    const put = await dav(stack, 'PUT', `/unicode/${nfd}`, { body: 'from finder' });
    assert.equal(put.status, 201);
    const get = await dav(stack, 'GET', `/unicode/${nfc}`);
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'from finder');
    assert.deepEqual(await remote.live('/unicode'), [nfc]);
  });

  it('finds a name written in NFC under its NFD spelling, and an NFD overwrite keeps one file', async () => {
    const nfc = 'r\u00e9sum\u00e9.txt';
    const nfd = nfc.normalize('NFD');
    assert.equal((await dav(stack, 'PUT', `/unicode2/${nfc}`, { body: 'v1' })).status, 201);
    const get = await dav(stack, 'GET', `/unicode2/${nfd}`);
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'v1');
    assert.equal((await dav(stack, 'PUT', `/unicode2/${nfd}`, { body: 'v2' })).status, 204);
    assert.deepEqual(await remote.live('/unicode2'), [nfc]);
    assert.equal(await (await dav(stack, 'GET', `/unicode2/${nfc}`)).text(), 'v2');
  });

  it('accepts a name of exactly 255 UTF-16 units after encoding', async () => {
    const name = 'n'.repeat(251) + '.txt';
    assert.equal(name.length, 255);
    assert.equal((await dav(stack, 'PUT', `/long/${name}`, { body: 'ok' })).status, 201);
    assert.deepEqual(await remote.live('/long'), [name]);
  });

  describe('a name over 255 UTF-16 units once encoded', () => {
    // 230 client units; every '‛' is quoted as '‛‛' by rclone's encoding → 260 units on the wire.
    const quoted = 'q'.repeat(200) + '\u201b'.repeat(30);
    // 128 emoji are 256 UTF-16 units (Jottacloud counts like Java).
    const emoji = '😀'.repeat(128);

    for (const [label, name] of [['quote-expanded', quoted], ['astral', emoji]] as const) {
      it(`refuses a PUT of a ${label} name with a 4xx whose DAV error body names the limit, writing nothing (regression: NAME_TOO_LONG was answered with a text/plain body)`, async () => {
        const since = logLength(stack);
        const res = await dav(stack, 'PUT', `/limits/${name}`, { body: 'never stored' });
        const text = await res.text();
        assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
        assert.match(text, /<(?:\w+:)?error\b[^>]*xmlns(?::\w+)?="DAV:"/);
        assert.match(text, /255/);
        const log = logSince(stack, since);
        assert.deepEqual(log.filter(isAllocate), []);
        assert.ok(!decodedPaths(log).some((p) => p.includes('qqqqqqqq') || p.includes('😀')), 'the long name never reached the service');
        assert.equal((await dav(stack, 'GET', `/limits/${name}`)).status, 404);
      });
    }

    it('refuses MKCOL with it, and a MOVE onto it leaves the source in place', async () => {
      const mk = await dav(stack, 'MKCOL', `/limits2/${emoji}`);
      assert.ok(mk.status >= 400 && mk.status < 500, `MKCOL ${mk.status}`);
      const mkBody = await mk.text();
      assert.match(mkBody, /<(?:\w+:)?error\b[^>]*xmlns(?::\w+)?="DAV:"/);
      assert.match(mkBody, /255/);
      assert.equal((await dav(stack, 'PUT', '/limits2/source.txt', { body: 'stay' })).status, 201);
      const dest = new URL(`limits2/${encodeURIComponent(quoted)}`, stack.url).href;
      const move = await dav(stack, 'MOVE', '/limits2/source.txt', { headers: { Destination: dest } });
      assert.ok(move.status >= 400 && move.status < 500, `MOVE ${move.status}`);
      assert.match(await move.text(), /255/);
      assert.deepEqual(await remote.live('/limits2'), ['source.txt']);
      assert.equal(await (await dav(stack, 'GET', '/limits2/source.txt')).text(), 'stay');
    });
  });
});
