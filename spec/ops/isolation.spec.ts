/**
 * Multi-user isolation over the whole stack: several WebDAV users on one Jottacloud account,
 * each rooted in a folder. Every trick for naming a path outside the root must fail, and the
 * emulated account itself (read through an independent session) shows that nothing outside the
 * attacker's root was read, written, moved or copied.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { accountReader, basic, raw, type AccountReader } from './support.js';

const ALICE = { name: 'alice', password: 'alice-pw-1', root: '/alice' };
const BOB = { name: 'bob', password: 'bob-pw-2', root: '/bob' };
const ADMIN = { name: 'admin', password: 'admin-pw-3', root: '/' };
// Root written in NFD (as a Mac would paste it); the folder is created in NFC below.
const RENE = { name: 'rene', password: 'rene-pw-4', root: '/Rene\u0301' };
const READER = { name: 'reader', password: 'reader-pw-5', root: '/bob', readOnly: true };
// Two combining marks in NFD: the root's spelling is two characters longer than the folder's.
const ANDERS = { name: 'anders', password: 'anders-pw-6', root: '/A\u030Angstro\u0308m' };

const BOB_SECRET = 'bob secret content';
const RENE_SECRET = 'rene private content';

/** Ways of spelling "up one level, then into bob's folder" in a request target. */
const TRAVERSALS = [
  '/../bob/secret.txt',
  '/../../bob/secret.txt',
  '/./../bob/secret.txt',
  '/sub/../../bob/secret.txt',
  '//..//bob//secret.txt',
  '/%2e%2e/bob/secret.txt',
  '/%2E%2E/bob/secret.txt',
  '/.%2e/bob/secret.txt',
  '/%2e./bob/secret.txt',
  '/..%2fbob%2fsecret.txt',
  '/..%2Fbob%2Fsecret.txt',
  '/%2e%2e%2fbob%2fsecret.txt',
  '/%2Fbob%2Fsecret.txt',
  '/%2F..%2Fbob%2Fsecret.txt',
  '/..%5cbob%5csecret.txt',
  '/%5c..%5cbob%5csecret.txt',
  '/..\\bob\\secret.txt',
  '/\\..\\bob\\secret.txt',
  '/%252e%252e/bob/secret.txt',
  '/%252e%252e%252fbob%252fsecret.txt',
  '/%25252e%25252e/bob/secret.txt',
  '/..;/bob/secret.txt',
  '/%00/../bob/secret.txt',
  '/..%00/bob/secret.txt',
  '/%c0%ae%c0%ae/bob/secret.txt',
  '/%uff0e%uff0e/bob/secret.txt',
  '/\uff0e\uff0e/bob/secret.txt'.replace(/[^\x00-\x7f]/g, (c) => encodeURIComponent(c)),
  // Case variants of bob's folder (Jottacloud folds case) reached from alice's tree.
  '/../BOB/secret.txt',
  '/../Bob/SECRET.TXT',
  '/%2e%2e/BOB/secret.txt',
  '/BOB/secret.txt',
  '/Bob/secret.txt',
  '/bob/secret.txt',
  // Absolute-form request targets (proxies send these).
  'http://127.0.0.1/../bob/secret.txt',
  'http://127.0.0.1/%2e%2e/bob/secret.txt',
  // NFD / NFC spellings of rene's folder.
  '/../Rene%CC%81/private.txt',
  '/../Ren%C3%A9/private.txt',
  '/%2e%2e/Rene%CC%81/private.txt',
  '/..%2fRen%C3%A9%2fprivate.txt',
];

const SECRETS = [BOB_SECRET, RENE_SECRET];
const LOCKINFO = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';

describe('ops: multi-user isolation', function () {
  this.timeout(120_000);
  let stack: Stack;
  let reader: AccountReader;
  let baseline: string[];

  const as = (user: { name: string; password: string }) => ({ Authorization: basic(user.name, user.password) });
  const request = (user: { name: string; password: string }, method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    raw(stack.url, method, path, { headers: { ...as(user), ...headers }, body });

  /** The account outside alice's root, as the independent session sees it. */
  const outsideAlice = (tree: string[]) => tree.filter((p) => p !== '/alice/' && !p.startsWith('/alice/'));

  const assertNothingOutsideAliceChanged = async () => {
    const after = await reader.tree();
    assert.deepEqual(outsideAlice(after), outsideAlice(baseline), 'the account outside /alice changed');
    assert.equal(await reader.text('/bob/secret.txt'), BOB_SECRET);
    assert.equal(await reader.text('/bob/dir/inner.txt'), 'inner');
    assert.equal(await reader.text('/René/private.txt'), RENE_SECRET);
    // Nothing alice did may leave a copy of a secret anywhere in her own tree either.
    for (const path of after.filter((p) => p.startsWith('/alice/') && !p.endsWith('/'))) {
      const text = await reader.text(path);
      for (const secret of SECRETS) assert.ok(!text?.includes(secret), `${path} holds a copy of a secret`);
    }
  };

  before(async () => {
    stack = await startStack({ users: [ALICE, BOB, ADMIN, RENE, READER, ANDERS] });
    for (const folder of ['/alice', '/bob', '/bob/dir', '/Ren%C3%A9', '/%C3%85ngstr%C3%B6m']) {
      assert.equal((await request(ADMIN, 'MKCOL', folder)).status, 201, folder);
    }
    assert.equal((await request(ADMIN, 'PUT', '/bob/secret.txt', {}, BOB_SECRET)).status, 201);
    assert.equal((await request(ADMIN, 'PUT', '/bob/dir/inner.txt', {}, 'inner')).status, 201);
    assert.equal((await request(ADMIN, 'PUT', '/Ren%C3%A9/private.txt', {}, RENE_SECRET)).status, 201);
    assert.equal((await request(ALICE, 'PUT', '/own.txt', {}, 'alice own')).status, 201);
    assert.equal((await request(ADMIN, 'PUT', '/%C3%85ngstr%C3%B6m/notes.txt', {}, 'anders notes')).status, 201);
    reader = await accountReader(stack.emulator);
    baseline = await reader.tree();
    assert.ok(baseline.includes('/alice/own.txt'), `alice's PUT landed in /alice: ${baseline.join(', ')}`);
    assert.ok(baseline.includes('/bob/secret.txt'));
  });
  after(async () => {
    await reader?.close();
    await stack?.close();
  });

  it('each user sees exactly their own root', async () => {
    assert.equal((await request(BOB, 'GET', '/secret.txt')).body, BOB_SECRET);
    assert.equal((await request(ALICE, 'GET', '/own.txt')).body, 'alice own');
    const listing = await request(ALICE, 'PROPFIND', '/', { Depth: '1' });
    assert.equal(listing.status, 207);
    assert.match(listing.body, /own\.txt/);
    assert.doesNotMatch(listing.body, /secret\.txt|inner\.txt|private\.txt/);
    // The root user sees everything, as configured.
    assert.equal((await request(ADMIN, 'GET', '/bob/secret.txt')).body, BOB_SECRET);
  });

  it('a user rooted at an NFD spelling of a folder sees the NFC-named folder', async () => {
    const res = await request(RENE, 'GET', '/private.txt');
    assert.equal(res.status, 200);
    assert.equal(res.body, RENE_SECRET);
  });

  it('a root typed in NFD lists correct hrefs and names (regression: hrefs lost a character per combining mark, "/otes.txt")', async () => {
    const listing = await request(ANDERS, 'PROPFIND', '/', { Depth: '1' });
    assert.equal(listing.status, 207);
    const hrefs = [...listing.body.matchAll(/<(?:\w+:)?href>([^<]*)<\/(?:\w+:)?href>/g)].map((m) => decodeURIComponent(m[1] as string)).sort();
    assert.deepEqual(hrefs, ['/', '/notes.txt']);
    const names = [...listing.body.matchAll(/<(?:\w+:)?displayname>([^<]*)</g)].map((m) => m[1]);
    assert.ok(!names.includes('Ångström'), `the root shows its account-side name: ${names.join(', ')}`);
    assert.equal((await request(ANDERS, 'GET', '/notes.txt')).body, 'anders notes');
    const put = await request(ANDERS, 'PUT', '/more.txt', {}, 'more');
    assert.equal(put.status, 201);
    assert.equal(await reader.text('/Ångström/more.txt'), 'more');
    // Leave the account as the other specs' baseline has it.
    assert.equal((await request(ANDERS, 'DELETE', '/more.txt')).status, 204);
    assert.equal(await reader.stat('/Ångström/more.txt'), undefined);
  });

  it('no traversal spelling reads or lists outside the root (GET, HEAD, PROPFIND)', async () => {
    for (const path of TRAVERSALS) {
      for (const method of ['GET', 'HEAD', 'PROPFIND']) {
        const res = await request(ALICE, method, path, method === 'PROPFIND' ? { Depth: '1' } : {});
        assert.ok(res.status >= 400 && res.status < 500, `${method} ${path} answered ${res.status}`);
        for (const secret of SECRETS) assert.ok(!res.body.includes(secret), `${method} ${path} leaked a secret`);
        // (Error bodies may echo the requested name; a name alice never typed means a listing leaked.)
        assert.doesNotMatch(res.body, /inner\.txt|dir</, `${method} ${path} listed a foreign folder`);
      }
    }
    await assertNothingOutsideAliceChanged();
  });

  it('no traversal spelling writes, deletes or changes anything outside the root', async () => {
    for (const path of TRAVERSALS) {
      const newdir = path.replace(/secret\.txt|private\.txt|SECRET\.TXT/, 'newdir');
      await request(ALICE, 'PUT', path, {}, 'overwritten by alice');
      await request(ALICE, 'PROPPATCH', path, { 'Content-Type': 'application/xml' }, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:owner xmlns:x="urn:x">alice</x:owner></D:prop></D:set></D:propertyupdate>');
      const lock = await request(ALICE, 'LOCK', path, { 'Content-Type': 'application/xml', Timeout: 'Second-60' }, LOCKINFO);
      const token = lock.headers['lock-token'];
      // Where a spelling is a legal name inside alice's own tree, clean up after it, so that
      // the MOVE/COPY spec below finds no such source in her tree.
      if (typeof token === 'string') await request(ALICE, 'UNLOCK', path, { 'Lock-Token': token });
      await request(ALICE, 'MKCOL', newdir);
      await request(ALICE, 'DELETE', newdir);
      await request(ALICE, 'DELETE', path);
      await request(ALICE, 'DELETE', path.replace(/secret\.txt|private\.txt|SECRET\.TXT/, ''));
    }
    await assertNothingOutsideAliceChanged();
    // Bob's files carry no lock alice took: bob can still overwrite his own file.
    const put = await request(BOB, 'PUT', '/secret.txt', {}, BOB_SECRET);
    assert.equal(put.status, 204, `bob's own PUT answered ${put.status}: ${put.body}`);
  });

  it('MOVE and COPY cannot take a file out of another root, nor put one into it', async () => {
    const host = new URL(stack.url).host;
    const destinations = [
      `http://${host}/../bob/stolen.txt`,
      `http://${host}/%2e%2e/bob/stolen.txt`,
      `http://${host}/..%2fbob%2fstolen.txt`,
      `http://${host}/%2Fbob%2Fstolen.txt`,
      `http://${host}/..%5cbob%5cstolen.txt`,
      `http://${host}/%252e%252e/bob/stolen.txt`,
      `http://${host}/../BOB/stolen.txt`,
      `http://${host}/bob/stolen.txt`,
      `http://${host}/../Rene%CC%81/stolen.txt`,
      `http://${host}/../bob/secret.txt`,
      '/../bob/stolen.txt',
      '/%2e%2e/bob/stolen.txt',
      '/../bob/secret.txt',
      '/..%2fbob%2fsecret.txt',
      // Another origin: a cross-server transfer is refused outright.
      `http://localhost:1/bob/stolen.txt`,
    ];
    for (const method of ['COPY', 'MOVE']) {
      for (const destination of destinations) {
        for (const overwrite of ['T', 'F']) {
          // Out: alice's own file towards bob's root.
          await request(ALICE, 'COPY', '/own.txt', { Destination: `http://${host}/own-copy.txt`, Overwrite: 'T' });
          const out = await request(ALICE, method, '/own-copy.txt', { Destination: destination, Overwrite: overwrite });
          // Whatever the status, the account outside /alice is checked below; a foreign origin is 502.
          if (destination.startsWith('http://localhost:1/')) assert.equal(out.status, 502, `${method} → ${destination}`);
        }
      }
      // In: bob's file, named by a traversal, towards alice's tree.
      for (const source of TRAVERSALS) {
        const res = await request(ALICE, method, source, { Destination: `http://${host}/loot.txt`, Overwrite: 'T' });
        assert.ok(res.status >= 400, `${method} ${source} → /loot.txt answered ${res.status}`);
      }
    }
    await assertNothingOutsideAliceChanged();
    const loot = await request(ALICE, 'GET', '/loot.txt');
    assert.equal(loot.status, 404);
  });

  it('a read-only user is refused every write with 403, and may read', async () => {
    const host = new URL(stack.url).host;
    const writes: Array<[string, string, Record<string, string>, string?]> = [
      ['PUT', '/secret.txt', {}, 'changed by reader'],
      ['PUT', '/new.txt', {}, 'new'],
      ['DELETE', '/secret.txt', {}],
      ['DELETE', '/dir', {}],
      ['MOVE', '/secret.txt', { Destination: `http://${host}/moved.txt` }],
      ['COPY', '/secret.txt', { Destination: `http://${host}/copied.txt` }],
      ['MKCOL', '/newdir', {}],
      ['PROPPATCH', '/secret.txt', { 'Content-Type': 'application/xml' }, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x:a xmlns:x="urn:x">1</x:a></D:prop></D:set></D:propertyupdate>'],
      ['LOCK', '/secret.txt', { 'Content-Type': 'application/xml' }, LOCKINFO],
      ['LOCK', '/unmapped.txt', { 'Content-Type': 'application/xml' }, LOCKINFO],
    ];
    for (const [method, path, headers, body] of writes) {
      const res = await request(READER, method, path, headers, body);
      assert.equal(res.status, 403, `${method} ${path} answered ${res.status}`);
    }
    const get = await request(READER, 'GET', '/secret.txt');
    assert.equal(get.status, 200);
    assert.equal(get.body, BOB_SECRET);
    const propfind = await request(READER, 'PROPFIND', '/', { Depth: '1' });
    assert.equal(propfind.status, 207);
    assert.match(propfind.body, /secret\.txt/);
    assert.deepEqual(await reader.tree('/bob'), ['/bob/dir/', '/bob/dir/inner.txt', '/bob/secret.txt']);
    assert.equal(await reader.text('/bob/secret.txt'), BOB_SECRET);
  });
});
