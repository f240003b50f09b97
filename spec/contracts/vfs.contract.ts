/**
 * The Vfs contract suite (lib/vfs/types.ts), run against every implementation: call
 * `vfsContract(label, factory)` inside a spec file. The factory returns a fresh, empty Vfs.
 * Case rules are checked according to the Vfs's own `caseInsensitive` declaration.
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { isStorageError, type StorageErrorCode } from '../../lib/storage/errors.js';
import type { Vfs } from '../../lib/vfs/types.js';

export interface VfsContractSubject {
  vfs: Vfs;
  cleanup?: () => Promise<void>;
}

export const body = (content: string | Buffer): Readable => Readable.from([Buffer.from(content)]);

export async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString();
}

export const code = (expected: StorageErrorCode) => (error: unknown) => {
  assert.ok(isStorageError(error), `expected a StorageError ${expected}, got ${String(error)}`);
  assert.equal(error.code, expected, error.message);
  return true;
};

/** Names a WebDAV client may send: the hostile fixtures every implementation must survive. */
export const HOSTILE_NAMES = [
  'file % name.txt',
  '100%',
  'a&b',
  'notepad++.exe',
  '#hash#',
  'é (nfc)',
  'ภาษาไทย.txt',
  '😀 emoji.txt',
  ':?*"<>|',
  'trailing dot.',
  'trailing space ',
  ' leading space',
  'back\\slash',
  "it's; fine=yes, @home ~ $5 !",
  'Hello, 世界',
  '．',
  '..x',
  'quote‛E9',
];

export function vfsContract(label: string, factory: () => Promise<VfsContractSubject> | VfsContractSubject): void {
  describe(`Vfs contract: ${label}`, () => {
    let subject: VfsContractSubject;
    let vfs: Vfs;

    beforeEach(async () => {
      subject = await factory();
      vfs = subject.vfs;
    });

    afterEach(async () => {
      await vfs.close();
      await subject.cleanup?.();
    });

    describe('stat and list', () => {
      it('the root is an empty collection named ""', async () => {
        const root = await vfs.stat('/');
        assert.equal(root.kind, 'collection');
        assert.equal(root.name, '');
        assert.equal(root.path, '/');
        assert.deepEqual(await vfs.list('/'), []);
      });

      it('lists files and collections with their kinds, sizes and paths', async () => {
        await vfs.mkdir('/docs');
        await vfs.write('/docs/a.txt', body('hello'));
        await vfs.mkdir('/docs/sub');
        const entries = [...(await vfs.list('/docs'))].sort((x, y) => x.name.localeCompare(y.name));
        assert.deepEqual(entries.map((e) => [e.name, e.kind, e.size, e.path]), [
          ['a.txt', 'file', 5, '/docs/a.txt'],
          ['sub', 'collection', 0, '/docs/sub'],
        ]);
        assert.equal(entries[1]!.etag, undefined);
      });

      it('NOT_FOUND for a missing path, NOT_A_DIRECTORY for a file used as a folder', async () => {
        await assert.rejects(vfs.stat('/missing'), code('NOT_FOUND'));
        await assert.rejects(vfs.list('/missing'), code('NOT_FOUND'));
        await vfs.write('/f.txt', body('x'));
        await assert.rejects(vfs.list('/f.txt'), code('NOT_A_DIRECTORY'));
        await assert.rejects(vfs.stat('/f.txt/child'), (e: unknown) => isStorageError(e) && ['NOT_A_DIRECTORY', 'NOT_FOUND'].includes(e.code));
      });

      it('an ETag is equal for equal content and changes with the content', async () => {
        const first = await vfs.write('/a', body('same'));
        await vfs.write('/b', body('same'));
        assert.ok(first.entry.etag);
        assert.equal((await vfs.stat('/a')).etag, (await vfs.stat('/b')).etag);
        await vfs.write('/a', body('different'));
        assert.notEqual((await vfs.stat('/a')).etag, (await vfs.stat('/b')).etag);
      });
    });

    describe('read', () => {
      beforeEach(async () => {
        await vfs.write('/digits', body('0123456789'));
      });

      it('reads the whole content and byte ranges', async () => {
        assert.equal(await text(await vfs.read('/digits')), '0123456789');
        assert.equal(await text(await vfs.read('/digits', { start: 2, end: 4 })), '234');
        assert.equal(await text(await vfs.read('/digits', { start: 7 })), '789');
        assert.equal(await text(await vfs.read('/digits', { start: 8, end: 100 })), '89');
      });

      it('INVALID_ARGUMENT for a range outside the file, IS_A_DIRECTORY, NOT_FOUND', async () => {
        await assert.rejects(vfs.read('/digits', { start: 10 }), code('INVALID_ARGUMENT'));
        await vfs.mkdir('/dir');
        await assert.rejects(vfs.read('/dir'), code('IS_A_DIRECTORY'));
        await assert.rejects(vfs.read('/nope'), code('NOT_FOUND'));
      });
    });

    describe('write', () => {
      it('creates, then replaces (created true, then false)', async () => {
        const first = await vfs.write('/w.txt', body('one'));
        assert.equal(first.created, true);
        assert.equal(first.entry.size, 3);
        assert.equal(first.entry.path, '/w.txt');
        const second = await vfs.write('/w.txt', body('second'));
        assert.equal(second.created, false);
        assert.equal(await text(await vfs.read('/w.txt')), 'second');
      });

      it('records the given modification time (to the second)', async () => {
        const modified = new Date('2021-03-04T05:06:07Z');
        await vfs.write('/m.txt', body('m'), { modified });
        assert.equal(Math.floor((await vfs.stat('/m.txt')).modified!.getTime() / 1000), modified.getTime() / 1000);
      });

      it('PARENT_MISSING, IS_A_DIRECTORY', async () => {
        await assert.rejects(vfs.write('/no/such/file', body('x')), code('PARENT_MISSING'));
        await vfs.mkdir('/d');
        await assert.rejects(vfs.write('/d', body('x')), code('IS_A_DIRECTORY'));
      });

      it('a body that does not match the declared size stores nothing', async () => {
        await assert.rejects(vfs.write('/s', body('abc'), { expectedSize: 4 }), code('INVALID_ARGUMENT'));
        await assert.rejects(vfs.write('/s', body('abcde'), { expectedSize: 4 }), code('INVALID_ARGUMENT'));
        await assert.rejects(vfs.stat('/s'), code('NOT_FOUND'));
      });

      it('an aborted body is ABORTED and leaves the previous version', async () => {
        await vfs.write('/f', body('old'));
        const stream = new PassThrough();
        const pending = vfs.write('/f', stream);
        stream.write('new par');
        await new Promise((resolve) => setImmediate(resolve));
        stream.destroy(new Error('client went away'));
        await assert.rejects(pending, code('ABORTED'));
        assert.equal(await text(await vfs.read('/f')), 'old');
      });

      it('hostile names round-trip through write, list, stat and read', async () => {
        await vfs.mkdir('/h');
        for (const name of HOSTILE_NAMES) await vfs.write(`/h/${name}`, body(name));
        const listed = (await vfs.list('/h')).map((e) => e.name).sort();
        assert.deepEqual(listed, [...HOSTILE_NAMES].map((n) => n.normalize('NFC')).sort());
        for (const name of HOSTILE_NAMES) {
          assert.equal((await vfs.stat(`/h/${name}`)).name, name);
          assert.equal(await text(await vfs.read(`/h/${name}`)), name);
        }
      });

      it('an NFC name is found in NFD form too', async () => {
        await vfs.write('/caf\u00e9.txt', body('nfd'));
        assert.equal(await text(await vfs.read('/caf\u00e9.txt')), 'nfd');
        assert.equal(await text(await vfs.read('/cafe\u0301.txt')), 'nfd');
        assert.equal(vfs.resourceKey('/cafe\u0301.txt'), vfs.resourceKey('/caf\u00e9.txt'));
      });
    });

    describe('mkdir and remove', () => {
      it('ALREADY_EXISTS for anything at the path, PARENT_MISSING without a parent', async () => {
        const entry = await vfs.mkdir('/m');
        assert.equal(entry.kind, 'collection');
        await assert.rejects(vfs.mkdir('/m'), code('ALREADY_EXISTS'));
        await vfs.write('/file', body('x'));
        await assert.rejects(vfs.mkdir('/file'), code('ALREADY_EXISTS'));
        await assert.rejects(vfs.mkdir('/a/b'), code('PARENT_MISSING'));
      });

      it('removes files and whole collections; NOT_FOUND when missing', async () => {
        await vfs.mkdir('/t');
        await vfs.mkdir('/t/u');
        await vfs.write('/t/u/f', body('x'));
        await vfs.write('/g', body('y'));
        await vfs.remove('/g');
        await assert.rejects(vfs.stat('/g'), code('NOT_FOUND'));
        await vfs.remove('/t');
        await assert.rejects(vfs.stat('/t'), code('NOT_FOUND'));
        await assert.rejects(vfs.stat('/t/u/f'), (e: unknown) => isStorageError(e) && ['NOT_FOUND', 'NOT_A_DIRECTORY'].includes(e.code));
        await assert.rejects(vfs.remove('/g'), code('NOT_FOUND'));
        // A removed folder can be created again, empty.
        await vfs.mkdir('/t');
        assert.deepEqual(await vfs.list('/t'), []);
      });
    });

    describe('move and copy', () => {
      beforeEach(async () => {
        await vfs.mkdir('/src');
        await vfs.write('/src/a.txt', body('A'));
        await vfs.mkdir('/src/inner');
        await vfs.write('/src/inner/b.txt', body('B'));
        await vfs.mkdir('/dst');
      });

      it('moves a file (created true) and replaces a destination only with overwrite', async () => {
        assert.deepEqual(await vfs.move('/src/a.txt', '/dst/a2.txt', { overwrite: false }), { created: true });
        await assert.rejects(vfs.stat('/src/a.txt'), code('NOT_FOUND'));
        assert.equal(await text(await vfs.read('/dst/a2.txt')), 'A');
        await vfs.write('/src/c.txt', body('C'));
        await assert.rejects(vfs.move('/src/c.txt', '/dst/a2.txt', { overwrite: false }), code('ALREADY_EXISTS'));
        assert.equal(await text(await vfs.read('/src/c.txt')), 'C');
        assert.deepEqual(await vfs.move('/src/c.txt', '/dst/a2.txt', { overwrite: true }), { created: false });
        assert.equal(await text(await vfs.read('/dst/a2.txt')), 'C');
      });

      it('moves a collection with everything below it', async () => {
        await vfs.move('/src', '/dst/moved', { overwrite: false });
        assert.equal(await text(await vfs.read('/dst/moved/inner/b.txt')), 'B');
        await assert.rejects(vfs.stat('/src'), code('NOT_FOUND'));
        assert.deepEqual((await vfs.list('/dst/moved')).map((e) => e.name).sort(), ['a.txt', 'inner']);
      });

      it('NOT_FOUND (source), PARENT_MISSING, INVALID_ARGUMENT (into itself)', async () => {
        await assert.rejects(vfs.move('/nope', '/dst/x', { overwrite: true }), code('NOT_FOUND'));
        await assert.rejects(vfs.move('/src/a.txt', '/no/parent/x', { overwrite: true }), code('PARENT_MISSING'));
        await assert.rejects(vfs.move('/src', '/src/inner/deeper', { overwrite: true }), code('INVALID_ARGUMENT'));
        await assert.rejects(vfs.copy('/src', '/src/inner/deeper', { overwrite: true }), code('INVALID_ARGUMENT'));
      });

      it('copies files and trees (depth infinity and 0), leaving the source', async () => {
        assert.deepEqual(await vfs.copy('/src/a.txt', '/dst/a.txt', { overwrite: false }), { created: true });
        assert.equal(await text(await vfs.read('/src/a.txt')), 'A');
        assert.equal(await text(await vfs.read('/dst/a.txt')), 'A');
        await assert.rejects(vfs.copy('/src/a.txt', '/dst/a.txt', { overwrite: false }), code('ALREADY_EXISTS'));
        await vfs.copy('/src', '/dst/tree', { overwrite: false, depth: 'infinity' });
        assert.equal(await text(await vfs.read('/dst/tree/inner/b.txt')), 'B');
        await vfs.copy('/src', '/dst/shallow', { overwrite: false, depth: 0 });
        assert.deepEqual(await vfs.list('/dst/shallow'), []);
        assert.equal(await text(await vfs.read('/src/inner/b.txt')), 'B');
      });

      it('copy with overwrite replaces a collection at the destination', async () => {
        await vfs.mkdir('/dst/occupied');
        await vfs.write('/dst/occupied/old.txt', body('old'));
        assert.deepEqual(await vfs.copy('/src/a.txt', '/dst/occupied', { overwrite: true }), { created: false });
        assert.equal((await vfs.stat('/dst/occupied')).kind, 'file');
      });
    });

    describe('setModified and usage', () => {
      it('sets the modification time of a file; NOT_FOUND when missing', async () => {
        await vfs.write('/t.txt', body('t'));
        const when = new Date('2020-01-02T03:04:05Z');
        await vfs.setModified('/t.txt', when);
        assert.equal((await vfs.stat('/t.txt')).modified!.getTime(), when.getTime());
        await vfs.mkdir('/c');
        await vfs.setModified('/c', when); // accepted and ignored
        await assert.rejects(vfs.setModified('/missing', when), code('NOT_FOUND'));
      });

      it('usage is undefined or a non-negative count', async () => {
        const usage = await vfs.usage();
        if (usage !== undefined) assert.ok(usage.used >= 0);
      });
    });

    describe('case rules (per the declared caseInsensitive)', () => {
      it('resourceKey folds exactly when the Vfs is case-insensitive', async () => {
        assert.equal(vfs.resourceKey('/A/B.txt') === vfs.resourceKey('/a/b.TXT'), vfs.caseInsensitive);
      });

      it('a write in another case addresses the existing file and keeps its name', async function () {
        if (!vfs.caseInsensitive) return assert.equal(vfs.caseInsensitive, false);
        await vfs.write('/Hello.doc', body('1'));
        const result = await vfs.write('/hello.doc', body('2'));
        assert.equal(result.created, false);
        assert.deepEqual((await vfs.list('/')).map((e) => e.name), ['Hello.doc']);
        assert.equal(await text(await vfs.read('/HELLO.DOC')), '2');
        await assert.rejects(vfs.mkdir('/HELLO.doc'), code('ALREADY_EXISTS'));
      });

      it('a case-only rename works', async () => {
        if (!vfs.caseInsensitive) return assert.equal(vfs.caseInsensitive, false);
        await vfs.write('/a.txt', body('a'));
        await vfs.move('/a.txt', '/A.txt', { overwrite: false });
        assert.deepEqual((await vfs.list('/')).map((e) => e.name), ['A.txt']);
        await vfs.mkdir('/dir');
        await vfs.write('/dir/x', body('x'));
        await vfs.move('/dir', '/DIR', { overwrite: false });
        assert.deepEqual((await vfs.list('/')).map((e) => e.name).sort(), ['A.txt', 'DIR']);
        assert.equal(await text(await vfs.read('/DIR/x')), 'x');
      });
    });
  });
}
