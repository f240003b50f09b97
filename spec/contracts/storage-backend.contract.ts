/**
 * The StorageBackend contract (lib/storage/backend.ts), run against any implementation: the
 * emulator-backed Jottacloud backend, the real service (live), or an in-memory fake.
 *
 * Names given to the backend are already encoded the rclone way (the vfs owns that mapping), e.g.
 * `hello？ sausage` for the user's `hello? sausage`.
 *
 * Usage:
 *   storageBackendContract('my backend', async () => ({ backend, cleanup }), { base: '/unique-folder' });
 */
import assert from 'node:assert/strict';
import { isStorageError, type StorageErrorCode } from '../../lib/storage/errors.js';
import type { RemoteEntry, StorageBackend } from '../../lib/storage/backend.js';
import { bufferBody, collect, md5Hex, pattern, wholeSeconds } from '../jottacloud/support.js';

export interface ContractSubject {
  backend: StorageBackend;
  /** Called after the suite (after the base folder was removed). */
  cleanup?: () => Promise<void>;
}

export interface ContractOptions {
  /** Folder every test works below; created first and hard-deleted at the end. Default '/contract'. */
  base?: string;
  /**
   * Whether emptyTrash may be exercised. It empties the trash of the whole account, so the live
   * variant turns it off.
   */
  emptyTrash?: boolean;
  /** Per-test timeout (live runs are slower). */
  timeoutMs?: number;
}

/** The test tree of rclone's integration tests, names encoded the way rclone stores them. */
export const RCLONE_TEST_TREE = ['hello？ sausage', 'êé', 'Hello, 世界', ' ＂ \' @ ＜ ＞ & ？ + ≠', 'z.txt'] as const;

export const HOSTILE_NAMES: readonly string[] = [
  'file name.txt',
  'notepad++.exe',
  'a+b c+d',
  'hash#tag',
  'amp&ersand=eq;semi',
  "it's (1)!~@,$", // a raw * would be an encoding bug (rclone sends ＊)
  '100％ sure', // `%` arrives as its look-alike; a raw % is rejected by the service
  '‛quoted‛',
  '＂：＜＞？＊｜／',
  ' leading space',
  'Ünïcödé ñ 日本語 עברית',
  'emoji 😀🎉',
  'x'.repeat(251) + '.txt', // 255 UTF-16 units
  '😀'.repeat(127) + 'a', // 255 UTF-16 units, 128 characters
];

async function expectCode(promise: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isStorageError(error), `expected a StorageError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    return true;
  });
}

/** Shortens to at most 255 UTF-16 units without splitting a surrogate pair. */
function fit(name: string): string {
  let out = '';
  for (const ch of name) {
    if (out.length + ch.length > 255) break;
    out += ch;
  }
  return out;
}

function names(entries: RemoteEntry[]): string[] {
  return entries.map((e) => e.name).sort();
}

export function storageBackendContract(label: string, open: () => Promise<ContractSubject>, options: ContractOptions = {}): void {
  const base = options.base ?? '/contract';
  const p = (...parts: string[]) => [base, ...parts].join('/');

  describe(`StorageBackend contract: ${label}`, function () {
    this.timeout(options.timeoutMs ?? 30_000);
    let subject: ContractSubject;
    let b: StorageBackend;

    before(async function () {
      this.timeout(60_000);
      subject = await open();
      b = subject.backend;
      await b.mkdir(base);
    });
    after(async function () {
      this.timeout(120_000);
      if (!subject) return;
      try {
        await b.remove(base, 'folder', { hard: true });
      } catch (error) {
        if (!isStorageError(error, 'NOT_FOUND')) throw error;
      } finally {
        await b.close();
        await subject.cleanup?.();
      }
    });

    describe('features and the root', () => {
      it('declares its abilities', () => {
        const f = b.features;
        for (const key of ['caseInsensitive', 'md5BeforeUpload', 'serverSideMove', 'serverSideCopy'] as const) assert.equal(typeof f[key], 'boolean');
        assert.ok(f.maxNameLength >= 255);
        assert.ok(f.modifiedPrecisionMs >= 1);
      });
      it('the root is a folder', async () => {
        const root = await b.stat('/');
        assert.equal(root.kind, 'folder');
      });
    });

    describe('folders', () => {
      it('mkdir creates missing parents and is idempotent', async () => {
        await b.mkdir(p('m', 'a', 'b', 'c'));
        await b.mkdir(p('m', 'a', 'b', 'c'));
        assert.equal((await b.stat(p('m', 'a', 'b'))).kind, 'folder');
        assert.deepEqual(names(await b.list(p('m', 'a'))), ['b']);
        assert.deepEqual(await b.list(p('m', 'a', 'b', 'c')), []);
      });
      it('stat and list of a missing path are NOT_FOUND', async () => {
        await expectCode(b.stat(p('nope')), 'NOT_FOUND');
        await expectCode(b.list(p('nope')), 'NOT_FOUND');
        await expectCode(b.stat(p('nope', 'deeper')), 'NOT_FOUND');
      });
      it('list of a file is NOT_A_DIRECTORY; mkdir over a file is NAME_COLLISION', async () => {
        await b.upload(p('m', 'file.txt'), bufferBody('x'));
        await expectCode(b.list(p('m', 'file.txt')), 'NOT_A_DIRECTORY');
        await expectCode(b.mkdir(p('m', 'file.txt')), 'NAME_COLLISION');
        await expectCode(b.mkdir(p('m', 'file.txt', 'below')), 'NAME_COLLISION');
      });
    });

    describe('files', () => {
      const modified = new Date('2023-05-06T07:08:09.654Z');
      const created = new Date('2022-01-02T03:04:05.000Z');
      it('upload then stat, list and read round-trip content, md5 and whole-second times', async () => {
        const body = bufferBody(pattern(100_000, 7), modified, created);
        const entry = await b.upload(p('f', 'one.bin'), body);
        assert.equal(entry.kind, 'file');
        assert.equal(entry.name, 'one.bin');
        assert.equal(entry.size, 100_000);
        assert.equal(entry.md5, body.md5);
        const stat = await b.stat(p('f', 'one.bin'));
        assert.equal(stat.size, 100_000);
        assert.equal(stat.md5, body.md5);
        assert.equal(stat.modified?.getTime(), wholeSeconds(modified));
        assert.equal(stat.created?.getTime(), wholeSeconds(created));
        const listed = (await b.list(p('f'))).find((e) => e.name === 'one.bin');
        assert.equal(listed?.md5, body.md5);
        assert.equal(listed?.size, 100_000);
        assert.deepEqual(await collect(await b.read(p('f', 'one.bin'))), pattern(100_000, 7));
      });
      it('reads byte ranges, open-ended ranges, and clamps an end beyond the size', async () => {
        const data = pattern(100_000, 7);
        assert.deepEqual(await collect(await b.read(p('f', 'one.bin'), { start: 10, end: 19 })), data.subarray(10, 20));
        assert.deepEqual(await collect(await b.read(p('f', 'one.bin'), { start: 99_990 })), data.subarray(99_990));
        assert.deepEqual(await collect(await b.read(p('f', 'one.bin'), { start: 99_999, end: 200_000 })), data.subarray(99_999));
        await expectCode(b.read(p('f', 'one.bin'), { start: 100_000 }), 'INVALID_ARGUMENT');
      });
      it('read of a folder is IS_A_DIRECTORY, of a missing file NOT_FOUND', async () => {
        await expectCode(b.read(p('f')), 'IS_A_DIRECTORY');
        await expectCode(b.read(p('f', 'missing.bin')), 'NOT_FOUND');
      });
      it('aborting a read ends the stream', async () => {
        await b.upload(p('f', 'big.bin'), bufferBody(pattern(2_000_000, 3)));
        const controller = new AbortController();
        const stream = await b.read(p('f', 'big.bin'), undefined, controller.signal);
        let received = 0;
        await assert.rejects(
          (async () => {
            for await (const chunk of stream) {
              received += (chunk as Buffer).length;
              controller.abort();
            }
          })(),
        );
        assert.ok(received < 2_000_000);
        // The backend stays usable afterwards.
        assert.equal((await b.stat(p('f', 'big.bin'))).size, 2_000_000);
      });
      it('a zero-length file uploads and reads back empty', async () => {
        const entry = await b.upload(p('f', 'zero-length-file'), bufferBody(Buffer.alloc(0)));
        assert.equal(entry.size, 0);
        assert.equal(entry.md5, md5Hex(''));
        assert.equal((await collect(await b.read(p('f', 'zero-length-file')))).length, 0);
      });
      it('uploading again replaces the content (a new revision)', async () => {
        await b.upload(p('f', 'twice.txt'), bufferBody('first version'));
        const second = await b.upload(p('f', 'twice.txt'), bufferBody('second, longer version'));
        assert.equal(second.size, 'second, longer version'.length);
        assert.equal((await collect(await b.read(p('f', 'twice.txt')))).toString(), 'second, longer version');
      });
      it('upload creates missing parents', async () => {
        await b.upload(p('f', 'a', 'b', 'c', 'd', 'e.txt'), bufferBody('deep'));
        assert.equal((await b.stat(p('f', 'a', 'b', 'c'))).kind, 'folder');
      });
      it('setModified sets whole-second times and keeps the content', async () => {
        await b.upload(p('f', 'touch.txt'), bufferBody('touch me', modified));
        const when = new Date('2021-12-31T23:59:58.999Z');
        const entry = await b.setModified(p('f', 'touch.txt'), when);
        assert.equal(entry.modified?.getTime(), wholeSeconds(when));
        const stat = await b.stat(p('f', 'touch.txt'));
        assert.equal(stat.modified?.getTime(), wholeSeconds(when));
        assert.equal(stat.md5, md5Hex('touch me'));
        await expectCode(b.setModified(p('f', 'missing.txt'), when), 'NOT_FOUND');
      });
      it('names fold case exactly when the backend declares caseInsensitive (case preserved)', async () => {
        await b.upload(p('f', 'Case.TXT'), bufferBody('case'));
        if (b.features.caseInsensitive) assert.equal((await b.stat(p('f', 'case.txt'))).name, 'Case.TXT');
        else await expectCode(b.stat(p('f', 'case.txt')), 'NOT_FOUND');
      });
    });

    describe('remove', () => {
      it('trashing a file hides it from stat and list; the trashed-only view shows it', async () => {
        await b.upload(p('r', 'gone.txt'), bufferBody('bye'));
        await b.upload(p('r', 'stays.txt'), bufferBody('hi'));
        await b.remove(p('r', 'gone.txt'), 'file', { hard: false });
        await expectCode(b.stat(p('r', 'gone.txt')), 'NOT_FOUND');
        assert.deepEqual(names(await b.list(p('r'))), ['stays.txt']);
        const trashed = await b.list(p('r'), { trashedOnly: true });
        assert.deepEqual(names(trashed), ['gone.txt']);
        assert.ok(trashed[0]!.deleted instanceof Date);
      });
      it('read of a trashed file is NOT_FOUND, with { trashed: true } its bytes (also below a trashed folder)', async () => {
        await b.upload(p('rt', 'binned.txt'), bufferBody('trashed bytes'));
        await b.upload(p('rt', 'tree', 'deep.txt'), bufferBody('deep bytes'));
        await b.remove(p('rt', 'binned.txt'), 'file', { hard: false });
        await b.remove(p('rt', 'tree'), 'folder', { hard: false });
        await expectCode(b.read(p('rt', 'binned.txt')), 'NOT_FOUND');
        await expectCode(b.read(p('rt', 'tree', 'deep.txt')), 'NOT_FOUND');
        assert.equal((await collect(await b.read(p('rt', 'binned.txt'), undefined, undefined, { trashed: true }))).toString(), 'trashed bytes');
        assert.equal((await collect(await b.read(p('rt', 'binned.txt'), { start: 8 }, undefined, { trashed: true }))).toString(), 'bytes');
        assert.equal((await collect(await b.read(p('rt', 'tree', 'deep.txt'), undefined, undefined, { trashed: true }))).toString(), 'deep bytes');
        await expectCode(b.read(p('rt', 'tree'), undefined, undefined, { trashed: true }), 'IS_A_DIRECTORY');
        await expectCode(b.read(p('rt', 'never.txt'), undefined, undefined, { trashed: true }), 'NOT_FOUND');
        // The option widens, it does not narrow: a live file reads the same with it.
        await b.upload(p('rt', 'live.txt'), bufferBody('live'));
        assert.equal((await collect(await b.read(p('rt', 'live.txt'), undefined, undefined, { trashed: true }))).toString(), 'live');
      });
      it('removing a missing item is NOT_FOUND (also when it is only in the trash)', async () => {
        await expectCode(b.remove(p('r', 'never.txt'), 'file', { hard: false }), 'NOT_FOUND');
        await expectCode(b.remove(p('r', 'gone.txt'), 'file', { hard: true }), 'NOT_FOUND');
      });
      it('hard delete of a file, and of folders recursively (trash and hard)', async () => {
        await b.upload(p('r', 'hard.txt'), bufferBody('x'));
        await b.remove(p('r', 'hard.txt'), 'file', { hard: true });
        await expectCode(b.stat(p('r', 'hard.txt')), 'NOT_FOUND');
        await b.upload(p('r', 'tree1', 'sub', 'x.txt'), bufferBody('x'));
        await b.remove(p('r', 'tree1'), 'folder', { hard: false });
        await expectCode(b.stat(p('r', 'tree1')), 'NOT_FOUND');
        await expectCode(b.stat(p('r', 'tree1', 'sub', 'x.txt')), 'NOT_FOUND');
        // The trashed-only view descends into trashed folders.
        assert.ok(names(await b.list(p('r'), { trashedOnly: true })).includes('tree1'));
        assert.deepEqual(names(await b.list(p('r', 'tree1', 'sub'), { trashedOnly: true })), ['x.txt']);
        await b.upload(p('r', 'tree2', 'sub', 'x.txt'), bufferBody('x'));
        await b.remove(p('r', 'tree2'), 'folder', { hard: true });
        await expectCode(b.list(p('r', 'tree2')), 'NOT_FOUND');
        assert.deepEqual(names(await b.list(p('r'))), ['stays.txt']);
      });
      it('a trashed folder can be created again, and a trashed file uploaded again', async () => {
        await b.mkdir(p('r', 'tree1'));
        assert.deepEqual(await b.list(p('r', 'tree1')), [], 'the revived folder shows no trashed children');
        await b.upload(p('r', 'gone.txt'), bufferBody('back'));
        assert.equal((await collect(await b.read(p('r', 'gone.txt')))).toString(), 'back');
      });
    });

    describe('move and copy', () => {
      it('moves and renames a file, creating the destination parent, keeping content and times', async () => {
        const modified = new Date('2020-02-02T02:02:02Z');
        await b.upload(p('mv', 'src.txt'), bufferBody('moving', modified));
        await b.move(p('mv', 'src.txt'), p('mv', 'new', 'parent', 'dst.txt'), 'file');
        await expectCode(b.stat(p('mv', 'src.txt')), 'NOT_FOUND');
        const moved = await b.stat(p('mv', 'new', 'parent', 'dst.txt'));
        assert.equal(moved.md5, md5Hex('moving'));
        assert.equal(moved.modified?.getTime(), modified.getTime());
        await expectCode(b.move(p('mv', 'src.txt'), p('mv', 'x.txt'), 'file'), 'NOT_FOUND');
      });
      it('moves a folder with its contents, also onto a name that is in the trash', async () => {
        await b.upload(p('mv', 'dir', 'inner', 'a.txt'), bufferBody('a'));
        await b.mkdir(p('mv', 'was-here'));
        await b.remove(p('mv', 'was-here'), 'folder', { hard: false });
        await b.move(p('mv', 'dir'), p('mv', 'was-here'), 'folder');
        await expectCode(b.stat(p('mv', 'dir')), 'NOT_FOUND');
        assert.equal((await collect(await b.read(p('mv', 'was-here', 'inner', 'a.txt')))).toString(), 'a');
      });
      it('case-only renames of a file and a folder', async () => {
        await b.upload(p('mv', 'case', 'lower.txt'), bufferBody('c'));
        await b.move(p('mv', 'case', 'lower.txt'), p('mv', 'case', 'LOWER.txt'), 'file');
        assert.deepEqual(names(await b.list(p('mv', 'case'))), ['LOWER.txt']);
        await b.move(p('mv', 'case'), p('mv', 'CASE'), 'folder');
        assert.deepEqual(names(await b.list(p('mv'))).filter((n) => n.toLowerCase() === 'case'), ['CASE']);
      });
      it('copies a file (source stays), replacing a live destination', async () => {
        await b.upload(p('cp', 'src.txt'), bufferBody('copy me', new Date('2019-09-09T09:09:09Z')));
        await b.upload(p('cp', 'dst.txt'), bufferBody('old content'));
        const copied = await b.copy(p('cp', 'src.txt'), p('cp', 'dst.txt'));
        assert.equal(copied.md5, md5Hex('copy me'));
        assert.equal((await collect(await b.read(p('cp', 'dst.txt')))).toString(), 'copy me');
        assert.equal((await collect(await b.read(p('cp', 'src.txt')))).toString(), 'copy me');
        await expectCode(b.copy(p('cp', 'missing.txt'), p('cp', 'x.txt')), 'NOT_FOUND');
      });
      it('a copy onto a trashed file is live afterwards (cp alone leaves it in the trash; a cphash makes it live)', async () => {
        await b.upload(p('cp', 'trashed.txt'), bufferBody('old'));
        await b.remove(p('cp', 'trashed.txt'), 'file', { hard: false });
        const copied = await b.copy(p('cp', 'src.txt'), p('cp', 'trashed.txt'));
        assert.equal(copied.deleted, undefined);
        assert.equal((await b.stat(p('cp', 'trashed.txt'))).md5, md5Hex('copy me'));
        assert.ok(names(await b.list(p('cp'))).includes('trashed.txt'));
      });
      it('copies into a missing folder', async () => {
        await b.copy(p('cp', 'src.txt'), p('cp', 'new', 'deeper', 'c.txt'));
        assert.equal((await b.stat(p('cp', 'new', 'deeper', 'c.txt'))).size, 'copy me'.length);
      });
    });

    describe('hostile names', () => {
      it("rclone's test tree round-trips (upload, list each level, read)", async () => {
        const path = p('h', ...RCLONE_TEST_TREE);
        await b.upload(path, bufferBody('z'));
        for (let depth = 0; depth < RCLONE_TEST_TREE.length; depth++) {
          const listed = names(await b.list(p('h', ...RCLONE_TEST_TREE.slice(0, depth))));
          assert.ok(listed.includes(RCLONE_TEST_TREE[depth]!), `${JSON.stringify(RCLONE_TEST_TREE[depth])} in ${JSON.stringify(listed)}`);
        }
        assert.equal((await collect(await b.read(path))).toString(), 'z');
      });
      for (const name of HOSTILE_NAMES) {
        it(`file and folder named ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${name.length} units)` : name)}`, async () => {
          const folder = p('h', 'n', name);
          await b.mkdir(folder);
          await b.upload(`${folder}/${name}`, bufferBody(name));
          assert.deepEqual(names(await b.list(folder)), [name]);
          assert.ok(names(await b.list(p('h', 'n'))).includes(name));
          assert.equal((await collect(await b.read(`${folder}/${name}`))).toString(), name);
          assert.equal((await b.stat(`${folder}/${name}`)).name, name);
          // Server-side operations carry the name in a query value or (mvDir) a trailing-slash path.
          await b.copy(`${folder}/${name}`, `${folder}/${fit(`copy ${name}`)}`);
          await b.move(folder, p('h', 'moved', name), 'folder');
          assert.ok(names(await b.list(p('h', 'moved', name))).includes(name));
          await b.move(p('h', 'moved', name, name), p('h', 'moved', name, 'renamed'), 'file');
          await b.remove(p('h', 'moved', name), 'folder', { hard: true });
          await expectCode(b.stat(p('h', 'moved', name)), 'NOT_FOUND');
        });
      }
      it('a name of 256 UTF-16 units is NAME_TOO_LONG', async () => {
        await expectCode(b.upload(p('h', 'y'.repeat(256)), bufferBody('x')), 'NAME_TOO_LONG');
        await expectCode(b.mkdir(p('h', '😀'.repeat(128))), 'NAME_TOO_LONG');
      });
    });

    describe('account', () => {
      it('usage reports used bytes and an optional total', async () => {
        const usage = await b.usage();
        assert.ok(Number.isFinite(usage.used) && usage.used >= 0);
        if (usage.total !== undefined) assert.ok(usage.total >= usage.used);
      });
      it('public links go on and off', async () => {
        await b.upload(p('pub', 'shared.txt'), bufferBody('public'));
        const link = await b.setPublicLink(p('pub', 'shared.txt'), true);
        assert.ok(link && /^https?:\/\//.test(link), String(link));
        assert.equal((await b.stat(p('pub', 'shared.txt'))).publicLink, link);
        assert.equal(await b.setPublicLink(p('pub', 'shared.txt'), false), undefined);
        assert.equal((await b.stat(p('pub', 'shared.txt'))).publicLink, undefined);
        await expectCode(b.setPublicLink(p('pub', 'missing.txt'), true), 'NOT_FOUND');
      });
      if (options.emptyTrash !== false) {
        it('emptyTrash removes trashed items for good', async () => {
          await b.upload(p('t', 'trash-me.txt'), bufferBody('t'));
          await b.remove(p('t', 'trash-me.txt'), 'file', { hard: false });
          assert.equal((await b.list(p('t'), { trashedOnly: true })).length, 1);
          const emptied = await b.emptyTrash();
          assert.ok(emptied.files >= 1, `emptyTrash counts what it removed: ${JSON.stringify(emptied)}`);
          assert.deepEqual(await b.list(p('t'), { trashedOnly: true }), []);
        });
      }
    });
  });
}
