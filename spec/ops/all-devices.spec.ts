/**
 * `accounts.*.allDevices: true` (what `jottadav login --all-devices` writes): every device and
 * mount point of the account as top-level folders, composed by startApp, with per-user roots on
 * top and the shutdown flush reaching every mount point.
 */
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../support/stack.js';
import { accountReader, basic, raw } from './support.js';

const ALL = { name: 'all', password: 'all-devices-pw' };
const ARCHIVE_ONLY = { name: 'arch', password: 'archive-only-pw', root: '/Jotta/Archive' };

function hrefs(body: string): string[] {
  return [...body.matchAll(/<(?:\w+:)?href>([^<]*)<\/(?:\w+:)?href>/g)].map((m) => decodeURIComponent(m[1] as string)).sort();
}

describe('ops: serving every device and mount point (allDevices)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let closed = false;
  const as = (user: { name: string; password: string }) => ({ Authorization: basic(user.name, user.password) });

  before(async () => {
    stack = await startStack({ users: [ALL, ARCHIVE_ONLY], config: { accounts: { main: { allDevices: true } } } });
  });
  after(async () => {
    if (!closed) await stack?.close();
  });

  it('lists the devices at the root and their mount points below (regression: allDevices was ignored and only Jotta/Archive was served)', async () => {
    const root = await raw(stack.url, 'PROPFIND', '/', { headers: { ...as(ALL), Depth: '1' } });
    assert.equal(root.status, 207);
    assert.ok(hrefs(root.body).includes('/Jotta/'), hrefs(root.body).join(', '));
    const device = await raw(stack.url, 'PROPFIND', '/Jotta/', { headers: { ...as(ALL), Depth: '1' } });
    assert.equal(device.status, 207);
    for (const mount of ['/Jotta/Archive/', '/Jotta/Sync/']) assert.ok(hrefs(device.body).includes(mount), hrefs(device.body).join(', '));
  });

  it('writes land in the mount point named by the path', async () => {
    assert.equal((await raw(stack.url, 'PUT', '/Jotta/Archive/a.txt', { headers: as(ALL), body: 'in archive' })).status, 201);
    assert.equal((await raw(stack.url, 'PUT', '/Jotta/Sync/b.txt', { headers: as(ALL), body: 'in sync' })).status, 201);
    const archive = await accountReader(stack.emulator);
    const sync = await accountReader(stack.emulator, { mountPoint: 'Sync' });
    try {
      assert.equal(await archive.text('/a.txt'), 'in archive');
      assert.equal(await archive.stat('/b.txt'), undefined);
      assert.equal(await sync.text('/b.txt'), 'in sync');
      assert.equal(await sync.stat('/a.txt'), undefined);
    } finally {
      await archive.close();
      await sync.close();
    }
  });

  it('a user rooted at one mount point sees only that mount point', async () => {
    const listing = await raw(stack.url, 'PROPFIND', '/', { headers: { ...as(ARCHIVE_ONLY), Depth: '1' } });
    assert.equal(listing.status, 207);
    assert.deepEqual(hrefs(listing.body), ['/', '/a.txt']);
    assert.equal((await raw(stack.url, 'GET', '/a.txt', { headers: as(ARCHIVE_ONLY) })).body, 'in archive');
    assert.ok((await raw(stack.url, 'GET', '/../Sync/b.txt', { headers: as(ARCHIVE_ONLY) })).status >= 400);
  });

  it('on close, a placeholder in any mount point becomes a real empty file', async () => {
    assert.equal((await raw(stack.url, 'PUT', '/Jotta/Sync/empty.txt', { headers: as(ALL), body: '' })).status, 201);
    const sync = await accountReader(stack.emulator, { mountPoint: 'Sync' });
    try {
      assert.equal(await sync.stat('/empty.txt'), undefined, 'the placeholder reached Jottacloud before the close');
      await stack.app.close();
      closed = true;
      const entry = await sync.stat('/empty.txt');
      assert.equal(entry?.kind, 'file');
      assert.equal(entry?.size, 0);
    } finally {
      await sync.close();
      if (closed) await stack.close();
    }
  });
});
