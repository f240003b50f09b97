/**
 * uploads.noVersions through the whole stack: an overwrite leaves the file with one revision and
 * nothing in the trash, a failed overwrite leaves the old content intact and visible with no swap
 * file left behind, and an overwrite cut off between deleting the old file and moving the new one
 * into place is finished by the next listing of the folder.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { dav, RemoteView } from './helpers.js';

const FILE = '/nv/report.txt';

describe('e2e: uploads.noVersions', function () {
  this.timeout(60_000);
  let stack: Stack;
  let remote: RemoteView;
  let plain: Stack;
  let plainRemote: RemoteView;

  before(async () => {
    stack = await startStack({ config: { uploads: { noVersions: true } } });
    remote = await RemoteView.open(stack);
    plain = await startStack();
    plainRemote = await RemoteView.open(plain);
    for (const s of [stack, plain]) assert.equal((await dav(s, 'MKCOL', '/nv')).status, 201);
  });
  after(async () => {
    await stack?.close();
    await plain?.close();
  });
  afterEach(() => stack.emulator.controls.reset());

  const put = async (s: Stack, path: string, body: string) => {
    const res = await dav(s, 'PUT', path, { body });
    await res.body?.cancel();
    return res.status;
  };
  const get = async (s: Stack, path: string) => {
    const res = await dav(s, 'GET', path);
    return { status: res.status, body: await res.text() };
  };
  /** Names a Depth 1 PROPFIND of /nv shows through the bridge. */
  const listed = async (s: Stack) => {
    const res = await dav(s, 'PROPFIND', '/nv/', { headers: { Depth: '1' } });
    const xml = await res.text();
    assert.equal(res.status, 207, xml);
    return [...xml.matchAll(/<(?:[A-Za-z]+:)?href>([^<]*)<\/(?:[A-Za-z]+:)?href>/g)].map((m) => decodeURIComponent(m[1]!)).filter((h) => !h.endsWith('/nv/'));
  };

  it('an overwrite leaves exactly one revision and nothing in the trash (without the option: two revisions)', async () => {
    for (const s of [stack, plain]) {
      assert.equal(await put(s, FILE, 'version one'), 201);
      assert.equal(await put(s, FILE, 'version two, longer'), 204);
      assert.deepEqual(await get(s, FILE), { status: 200, body: 'version two, longer' });
    }
    assert.equal((await remote.file(FILE)).revisions, 1);
    assert.deepEqual(await remote.trashNames(), []);
    assert.deepEqual(await remote.live('/nv'), ['report.txt'], 'no swap file stays');
    assert.deepEqual(await listed(stack), ['/nv/report.txt']);
    // The control: Jottacloud's own overwrite keeps the old content as a revision.
    assert.equal((await plainRemote.file(FILE)).revisions, 2);
  });

  it('a failed upload leaves the old content intact and visible, and no swap file (an unfinished one at most, which no tool lists)', async () => {
    assert.equal(await put(stack, '/nv/failing.txt', 'the old content'), 201);
    stack.emulator.controls.failNext({ method: 'POST', path: /\/files\/v1\/upload\//, status: 500, times: 50 });
    const status = await put(stack, '/nv/failing.txt', 'the new content that never lands');
    assert.ok(status >= 500, `status ${status}`);
    stack.emulator.controls.reset();
    assert.deepEqual(await get(stack, '/nv/failing.txt'), { status: 200, body: 'the old content' });
    const listedNow = await listed(stack);
    assert.ok(listedNow.includes('/nv/failing.txt'));
    assert.ok(!listedNow.some((h) => h.includes('jottadav-swap')));
    // What the failed upload left is an unfinished file, which Jottacloud, rclone and jottadav
    // all ignore (as after any failed upload of a new file): no completed revision.
    for (const name of (await remote.live('/nv')).filter((n) => n.includes('jottadav-swap'))) {
      assert.equal((await remote.file(`/nv/${name}`)).revisions, 0, name);
    }
    assert.equal((await remote.file('/nv/failing.txt')).revisions, 1);
  });

  it('a refused delete of the old file leaves it intact and visible, and no swap file', async () => {
    assert.equal(await put(stack, '/nv/kept.txt', 'kept content'), 201);
    stack.emulator.controls.failNext({ method: 'POST', path: /kept\.txt\?.*rm=true/, status: 403, times: 1 });
    const status = await put(stack, '/nv/kept.txt', 'replacement');
    assert.ok(status >= 400, `status ${status}`);
    stack.emulator.controls.reset();
    assert.deepEqual(await get(stack, '/nv/kept.txt'), { status: 200, body: 'kept content' });
    assert.deepEqual((await remote.live('/nv')).filter((n) => n.includes('kept')), ['kept.txt']);
  });

  it('an overwrite cut off after the old file is deleted is finished by the next listing', async () => {
    assert.equal(await put(stack, '/nv/cut.txt', 'old'), 201);
    // The last step, the move of the committing swap file onto the name, fails.
    stack.emulator.controls.failNext({ method: 'POST', path: /jottadav-swap-[0-9a-z]+=cut\.txt\?.*mv=/, status: 500, times: 20 });
    const status = await put(stack, '/nv/cut.txt', 'new');
    assert.ok(status >= 500, `status ${status}`);
    stack.emulator.controls.reset();
    // The newest content waits under the swap name, hidden from clients.
    assert.ok((await remote.live('/nv')).some((n) => /^\.jottadav-swap-[0-9a-z]+=cut\.txt$/.test(n)), JSON.stringify(await remote.live('/nv')));
    assert.ok(!(await listed(stack)).some((h) => h.includes('jottadav-swap')));
    // That listing moved it into place.
    assert.ok((await listed(stack)).includes('/nv/cut.txt'));
    assert.deepEqual(await get(stack, '/nv/cut.txt'), { status: 200, body: 'new' });
    assert.deepEqual((await remote.live('/nv')).filter((n) => n.includes('cut')), ['cut.txt']);
    assert.equal((await remote.file('/nv/cut.txt')).revisions, 1);
    assert.deepEqual(await remote.trashNames(), []);
  });

  it('swap names are reserved: a client cannot create one', async () => {
    const res = await dav(stack, 'PUT', '/nv/.jottadav-swap-abc=x.txt', { body: 'x' });
    assert.equal(res.status, 400, await res.text());
  });
});
