/**
 * The case rules of a case-insensitive remote, as APFS and NTFS apply them: a write whose target
 * differs only in case from an existing sibling addresses that sibling; a case-only rename works;
 * (names that fold to one key on the bridge but are distinct on the service: fold-collision.pending.ts).
 */
import assert from 'node:assert/strict';
import type { FileStat } from 'webdav';
import { startStack, type Stack } from '../support/stack.js';
import { client, dav, destinationOf, getText, href, RemoteView } from './helpers.js';

describe('e2e: case rules over the case-insensitive emulator', function () {
  this.timeout(30_000);
  let stack: Stack;
  let remote: RemoteView;
  const destination = (path: string) => destinationOf(stack, path);
  const text = (path: string) => getText(stack, path);
  const names = async (path: string) => ((await client(stack).getDirectoryContents(path)) as FileStat[]).map((e) => e.basename).sort();

  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
  });
  after(async () => stack?.close());

  it('a PUT of hello.doc when Hello.doc exists overwrites Hello.doc and keeps its name', async () => {
    assert.equal((await dav(stack, 'MKCOL', '/put')).status, 201);
    assert.equal((await dav(stack, 'PUT', '/put/Hello.doc', { body: 'first' })).status, 201);
    assert.equal((await dav(stack, 'PUT', '/put/hello.doc', { body: 'second' })).status, 204);
    assert.deepEqual(await names('/put'), ['Hello.doc']);
    assert.deepEqual(await remote.live('/put'), ['Hello.doc']);
    assert.equal((await remote.file('/put/Hello.doc')).revisions, 2);
    assert.deepEqual(await text('/put/Hello.doc'), { status: 200, body: 'second' });
    assert.deepEqual(await text('/put/HELLO.DOC'), { status: 200, body: 'second' });
  });

  it('MKCOL answers 405 on a case variant of an existing folder or file', async () => {
    assert.equal((await dav(stack, 'MKCOL', '/Folder')).status, 201);
    assert.equal((await dav(stack, 'MKCOL', '/FOLDER')).status, 405);
    assert.equal((await dav(stack, 'PUT', '/Folder/Note.txt', { body: 'n' })).status, 201);
    assert.equal((await dav(stack, 'MKCOL', '/folder/note.TXT')).status, 405);
    assert.deepEqual(await remote.live('/Folder'), ['Note.txt']);
    assert.ok((await remote.live('/')).includes('Folder'));
    assert.ok(!(await remote.live('/')).includes('FOLDER'));
  });

  for (const method of ['MOVE', 'COPY'] as const) {
    it(`${method} honours Overwrite: F against a case variant of the destination (412, both intact)`, async () => {
      const dir = `/${method.toLowerCase()}-f`;
      assert.equal((await dav(stack, 'MKCOL', dir)).status, 201);
      assert.equal((await dav(stack, 'PUT', `${dir}/source.txt`, { body: 'source' })).status, 201);
      assert.equal((await dav(stack, 'PUT', `${dir}/Target.txt`, { body: 'target' })).status, 201);
      const res = await dav(stack, method, `${dir}/source.txt`, { headers: { Destination: destination(`${dir}/TARGET.TXT`), Overwrite: 'F' } });
      assert.equal(res.status, 412);
      assert.deepEqual(await remote.live(dir), ['Target.txt', 'source.txt']);
      assert.deepEqual(await text(`${dir}/Target.txt`), { status: 200, body: 'target' });
      assert.deepEqual(await text(`${dir}/source.txt`), { status: 200, body: 'source' });
    });

    it(`${method} with Overwrite: T replaces the case variant (204), leaving one entry under that key`, async () => {
      const dir = `/${method.toLowerCase()}-t`;
      assert.equal((await dav(stack, 'MKCOL', dir)).status, 201);
      assert.equal((await dav(stack, 'PUT', `${dir}/source.txt`, { body: 'source' })).status, 201);
      assert.equal((await dav(stack, 'PUT', `${dir}/Target.txt`, { body: 'target' })).status, 201);
      const res = await dav(stack, method, `${dir}/source.txt`, { headers: { Destination: destination(`${dir}/TARGET.TXT`), Overwrite: 'T' } });
      assert.equal(res.status, 204);
      const live = await remote.live(dir);
      const targets = live.filter((n) => n.toLowerCase() === 'target.txt');
      assert.equal(targets.length, 1, JSON.stringify(live));
      assert.equal(live.includes('source.txt'), method === 'COPY');
      assert.deepEqual(await text(`${dir}/target.txt`), { status: 200, body: 'source' });
      assert.deepEqual((await names(dir)).filter((n) => n.toLowerCase() === 'target.txt').length, 1);
    });
  }

  it('a case-only rename a.txt → A.txt works, for files and folders', async () => {
    assert.equal((await dav(stack, 'MKCOL', '/rename')).status, 201);
    assert.equal((await dav(stack, 'PUT', '/rename/a.txt', { body: 'lower' })).status, 201);
    const file = await dav(stack, 'MOVE', '/rename/a.txt', { headers: { Destination: destination('/rename/A.txt') } });
    assert.ok(file.status === 201 || file.status === 204, `MOVE ${file.status}`);
    assert.deepEqual(await remote.live('/rename'), ['A.txt']);
    assert.deepEqual(await names('/rename'), ['A.txt']);
    assert.deepEqual(await text('/rename/A.txt'), { status: 200, body: 'lower' });

    assert.equal((await dav(stack, 'MKCOL', '/rename/dir')).status, 201);
    assert.equal((await dav(stack, 'PUT', '/rename/dir/inside.txt', { body: 'in' })).status, 201);
    const folder = await dav(stack, 'MOVE', '/rename/dir', { headers: { Destination: destination('/rename/Dir') } });
    assert.ok(folder.status === 201 || folder.status === 204, `MOVE ${folder.status}`);
    assert.deepEqual(await remote.live('/rename'), ['A.txt', 'Dir']);
    assert.deepEqual(await remote.live('/rename/Dir'), ['inside.txt']);
    assert.deepEqual(await text('/rename/Dir/inside.txt'), { status: 200, body: 'in' });
  });
});
