/**
 * Jottacloud-specific operations and wire details beyond the generic contract: account, devices,
 * trash view, public link shape, and what goes on the wire (escaping, command POSTs, mvDir).
 */
import assert from 'node:assert/strict';
import { isStorageError } from '../../lib/storage/errors.js';
import { emulatorBackend, emulatorBackendForSuite, requestsSince } from '../support/emulator.js';
import { bufferBody } from './support.js';

describe('jottacloud client operations (emulator)', function () {
  this.timeout(30_000);
  const suite = emulatorBackendForSuite();

  it('customer info gives the JFS username; the user document gives usage and devices', async () => {
    const customer = await suite.backend.client.customer();
    assert.equal(customer.username, suite.emu.username);
    assert.equal(await suite.backend.client.username(), suite.emu.username);
    const user = await suite.backend.client.user();
    assert.equal(user.username, suite.emu.username);
    assert.ok(user.devices.some((d) => d.name === 'Jotta'));
    assert.equal(typeof user.usage, 'number');
  });

  it('the Jotta device lists its mount points; empty numbers decode as unknown', async () => {
    const device = await suite.backend.client.device('Jotta');
    const names = device.mountPoints.map((m) => m.name);
    assert.ok(names.includes('Archive'), names.join(','));
    for (const m of device.mountPoints) assert.ok(m.size === undefined || Number.isFinite(m.size));
  });

  it('a mount point can be created and used as a backend root', async () => {
    await suite.backend.client.createMountPoint('Jotta', 'Extra');
    const device = await suite.backend.client.device('Jotta');
    assert.ok(device.mountPoints.some((m) => m.name === 'Extra'));
  });

  it('the trash view lists deletion roots with their original place', async () => {
    await suite.backend.upload('/trashview/inner/file.txt', bufferBody('t'));
    await suite.backend.remove('/trashview', 'folder', { hard: false });
    const trash = await suite.backend.client.trash();
    const root = trash.folders.find((f) => f.name === 'trashview');
    assert.ok(root, `trash roots: ${trash.folders.map((f) => f.name).join(',')}`);
    assert.equal(root.deleted, true);
    assert.match(root.abspath ?? '', /\/Jotta\/Archive$/, 'abspath is the original parent');
    assert.ok(!trash.files.some((f) => f.name === 'file.txt'), 'children of a trashed folder are not repeated');
    const purged = await suite.backend.client.purgeTrash();
    assert.ok((purged.folders ?? 0) + (purged.files ?? 0) >= 1);
    assert.equal((await suite.backend.client.trash()).folders.length, 0);
  });

  it('a public link has the downloadPublic shape, built from the www base', async () => {
    await suite.backend.upload('/links/a.txt', bufferBody('link'));
    const link = await suite.backend.setPublicLink('/links/a.txt', true);
    assert.match(link ?? '', new RegExp(`^${suite.emu.urls.www.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}opin/io/downloadPublic/${suite.emu.username}/[0-9a-f]{32}$`));
  });

  it('regression: a small upload read the file back with a third request — now allocate and upload only, and the entry matches what a stat reports', async () => {
    const modified = new Date('2023-04-05T06:07:08Z');
    const created = new Date('2022-01-02T03:04:05Z');
    const mark = suite.emu.controls.requests().length;
    const entry = await suite.backend.upload('/roundtrips/small.txt', bufferBody('four KiB stand-in', modified, created));
    const log = requestsSince(suite.emu, mark).filter((r) => !r.path.includes('token'));
    assert.deepEqual(
      log.map((r) => r.method + ' ' + (r.path.includes('allocate') ? 'allocate' : r.path.startsWith('/jfs/') ? 'jfs' : 'upload')),
      ['POST allocate', 'POST upload'],
    );
    const stat = await suite.backend.stat('/roundtrips/small.txt');
    assert.equal(entry.name, stat.name);
    assert.equal(entry.size, stat.size);
    assert.equal(entry.md5, stat.md5);
    assert.equal(entry.modified?.getTime(), stat.modified?.getTime());
    assert.equal(entry.created?.getTime(), stat.created?.getTime());
    assert.ok(entry.updated, 'updated stands in with the time of the answer');
  });

  it('an upload of content the service already holds is one allocate (COMPLETED), and its entry still has the new times', async () => {
    await suite.backend.upload('/roundtrips/original.txt', bufferBody('same bytes'));
    const modified = new Date('2021-09-09T09:09:09Z');
    const mark = suite.emu.controls.requests().length;
    const entry = await suite.backend.upload('/roundtrips/duplicate.txt', bufferBody('same bytes', modified));
    const log = requestsSince(suite.emu, mark).filter((r) => !r.path.includes('token'));
    assert.equal(log.length, 1, log.map((r) => r.path).join(', '));
    const stat = await suite.backend.stat('/roundtrips/duplicate.txt');
    assert.equal(entry.md5, stat.md5);
    assert.equal(entry.size, stat.size);
    assert.equal(entry.modified?.getTime(), modified.getTime());
    assert.equal(stat.modified?.getTime(), modified.getTime());
  });

  it('paths never carry a raw + # or space; command POSTs have no body; mvDir keeps its trailing slash', async () => {
    const mark = suite.emu.controls.requests().length;
    await suite.backend.upload('/wire/notepad++ #1.txt', bufferBody('w'));
    // An upload names the file only inside the allocate body: a stat puts it in a JFS path.
    await suite.backend.stat('/wire/notepad++ #1.txt');
    await suite.backend.mkdir('/wire/dir+#');
    await suite.backend.move('/wire/dir+#', '/wire/dir moved+#', 'folder');
    const log = requestsSince(suite.emu, mark).filter((r) => r.path.startsWith('/jfs/'));
    for (const r of log) assert.doesNotMatch(r.path, /[+# ]/, r.path);
    assert.ok(log.some((r) => r.path.includes('notepad%2B%2B%20%231.txt')));
    const commands = log.filter((r) => r.method === 'POST');
    assert.ok(commands.length >= 2);
    for (const r of commands) assert.equal(r.requestBytes, 0, `${r.path}?${r.query} has no body`);
    const mvDir = commands.find((r) => r.query.includes('mvDir='));
    assert.ok(mvDir && mvDir.path.endsWith('/dir%2B%23/'), mvDir?.path);
    assert.ok(mvDir.query.includes('dir+moved%2B%23'), mvDir.query);
    assert.deepEqual((await suite.backend.list('/wire')).map((e) => e.name).sort(), ['dir moved+#', 'notepad++ #1.txt']);
  });

  it('a copy onto a trashed file is repaired with one cphash (cp alone leaves it in the trash), carrying the copy\'s own times', async () => {
    const modified = new Date('2018-08-08T08:08:08Z');
    await suite.backend.upload('/repair/src.txt', bufferBody('fresh', modified));
    await suite.backend.upload('/repair/dst.txt', bufferBody('old'));
    await suite.backend.remove('/repair/dst.txt', 'file', { hard: false });
    const mark = suite.emu.controls.requests().length;
    await suite.backend.copy('/repair/src.txt', '/repair/dst.txt');
    const posts = requestsSince(suite.emu, mark).filter((r) => r.method === 'POST' && r.path.endsWith('/repair/dst.txt'));
    assert.deepEqual(posts.map((r) => r.query), ['cphash=true']);
    const stat = await suite.backend.stat('/repair/dst.txt');
    assert.equal(stat.modified?.getTime(), modified.getTime(), 'times are not reset to zero');
  });

  it('the allocate path is /jfs/{device}/{mountpoint}/… without the username', async () => {
    // Observed indirectly: an upload into another mount point lands there, not in Archive.
    const extra = await emulatorBackend(suite.emu, { mountPoint: 'Extra' });
    try {
      await extra.upload('/only-in-extra.txt', bufferBody('e'));
      assert.equal((await extra.stat('/only-in-extra.txt')).size, 1);
      await assert.rejects(suite.backend.stat('/only-in-extra.txt'), (e: unknown) => isStorageError(e, 'NOT_FOUND'));
    } finally {
      await extra.close();
    }
  });

  it('names the vfs failed to encode are refused with INVALID_NAME (raw %, ?, *)', async () => {
    for (const bad of ['/bad/100%', '/bad/what?', '/bad/star*']) {
      await assert.rejects(suite.backend.upload(bad, bufferBody('x')), (e: unknown) => isStorageError(e, 'INVALID_NAME'), bad);
    }
  });
});
