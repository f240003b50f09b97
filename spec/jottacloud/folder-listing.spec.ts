import assert from 'node:assert/strict';
import type { JottacloudBackend } from '../../lib/jottacloud/backend.js';
import type { JfsLocation } from '../../lib/jottacloud/client.js';
import { jfsUrl } from '../../lib/jottacloud/endpoints.js';
import { readFolderListing, type FolderListingItem } from '../../lib/jottacloud/folder-listing.js';
import { parseJfsDocument } from '../../lib/jottacloud/xml.js';
import { HOSTILE_NAMES } from '../contracts/storage-backend.contract.js';
import { emulatorBackend, startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { bufferBody, md5Hex } from './support.js';

async function read(chunks: Array<string | Uint8Array>): Promise<FolderListingItem[]> {
  const out: FolderListingItem[] = [];
  for await (const item of readFolderListing(chunks)) out.push(item);
  return out;
}

/** What the whole-document parser makes of the same answer, in the streaming reader's items. */
function wholeItems(xml: string): FolderListingItem[] {
  const doc = parseJfsDocument(xml);
  if (doc.kind !== 'folder') return [{ kind: 'document', document: doc }];
  return [
    { kind: 'root', root: doc.folder.root, deleted: doc.folder.deleted },
    ...doc.folder.folders.map((folder) => ({ kind: 'folder' as const, folder })),
    ...doc.folder.files.map((file) => ({ kind: 'file' as const, file })),
  ];
}

describe('jottacloud: folder listings read as they arrive', function () {
  this.timeout(60_000);
  let t: TestEmulator;
  let b: JottacloudBackend;
  const answers = new Map<string, string>();

  const raw = async (device: string, mountPoint: string, ...segments: string[]): Promise<string> =>
    b.client.http.text({ url: jfsUrl(b.client.endpoints.jfs, [await b.client.username(), device, mountPoint, ...segments]) });
  const at = (...segments: string[]): JfsLocation => ({ device: b.device, mountPoint: b.mountPoint, segments });

  before(async () => {
    t = await startTestEmulator();
    b = await emulatorBackend(t.emu);
    for (const name of [...HOSTILE_NAMES, 'a &amp; b &#38; &lt;c']) await b.upload(`/fl/${name}`, bufferBody(`body of ${name}`));
    await b.mkdir('/fl/sub & ＜folder＞');
    await b.mkdir('/fl/gone folder');
    await b.remove('/fl/gone folder', 'folder', { hard: false });
    await b.upload('/fl/trashed.txt', bufferBody('trashed'));
    await b.remove('/fl/trashed.txt', 'file', { hard: false });
    await b.upload('/fl/shared.txt', bufferBody('shared'));
    await b.setPublicLink('/fl/shared.txt', true);
    // A file that never completed, and one whose newer revision did not.
    const pending = Buffer.from('never sent');
    await b.client.allocate({ bytes: pending.length, md5: md5Hex(pending), path: b.client.allocatePathOf(at('fl', 'pending.bin')) });
    await b.upload('/fl/two revisions.txt', bufferBody('first'));
    const second = Buffer.from('second, unfinished');
    await b.client.allocate({ bytes: second.length, md5: md5Hex(second), path: b.client.allocatePathOf(at('fl', 'two revisions.txt')) });
    answers.set('folder', await raw(b.device, b.mountPoint, 'fl'));
    answers.set('mount point', await raw(b.device, b.mountPoint));
    answers.set('trash view', await raw(b.device, 'Trash'));
    answers.set('file', await raw(b.device, b.mountPoint, 'fl', 'shared.txt'));
  });
  after(async () => {
    await b?.close();
    await t?.close();
  });

  it("gives the same entries as the whole-document parser on the emulator's answers (hostile names, entities, trash, incomplete)", async () => {
    for (const [what, xml] of answers) assert.deepEqual(await read([xml]), wholeItems(xml), what);
    const folder = await read([answers.get('folder')!]);
    const files = folder.flatMap((i) => (i.kind === 'file' ? [i.file] : []));
    assert.ok(files.some((f) => f.name === 'a &amp; b &#38; &lt;c'), 'entities decoded once');
    assert.ok(files.some((f) => f.deleted), 'a trashed file');
    assert.ok(files.some((f) => f.latestRevision?.state === 'INCOMPLETE' && f.currentRevision?.state === 'COMPLETED'));
    assert.ok(folder.some((i) => i.kind === 'folder' && i.folder.deleted), 'a trashed folder');
    assert.equal((await read([answers.get('file')!]))[0]!.kind, 'document');
  });

  it('gives the same items whatever the chunk boundaries, also inside a multi-byte character or an entity', async () => {
    const bytes = Buffer.from(answers.get('folder')!, 'utf8');
    const whole = await read([bytes]);
    for (let cut = 1; cut < bytes.length; cut += 13) {
      assert.deepEqual(await read([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
    }
    assert.deepEqual(await read(Array.from(bytes, (x) => Uint8Array.of(x))), whole);
  });

  it('rejects every cut of a listing, never a short list', async () => {
    for (const what of ['folder', 'mount point', 'trash view']) {
      const xml = answers.get(what)!.trimEnd();
      for (let cut = 0; cut < xml.length; cut++) {
        await assert.rejects(read([xml.slice(0, cut)]), /malformed XML|truncated|no root/, `${what} cut at ${cut}`);
      }
    }
  });

  it('agrees with the whole-document parser on what the emulator never sends (publicURI, CDATA, comments, revisions, single quotes)', async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment --><folder name="x" deleted="2024-02-01-T12:00:05Z">\n <path xml:space="preserve">/u/Jotta/Archive</path>\n' +
      "<folders><folder name='q &apos;1&apos;'><modified></modified></folder></folders>" +
      '<files><file name="s.txt" uuid="u1"><publicURI>5c1e</publicURI><currentRevision><number>2</number><state>COMPLETED</state><size>6</size><md5>ABCDEF</md5>' +
      '<mime><![CDATA[text/<plain>]]></mime><modified>2024-01-12-T16:45:10Z</modified></currentRevision>' +
      '<revisions><revision><number>2</number><state>COMPLETED</state></revision></revisions></file>' +
      '<file name="&#x1F600; &#233;"><currentRevision><state>CORRUPT</state></currentRevision><revisions><revision><number>1</number></revision><revision><number>0</number></revision></revisions></file></files>' +
      '<metadata first="" max="" total="3" num_folders="1" num_files="2"/></folder>\n';
    const items = await read([xml]);
    assert.deepEqual(items, wholeItems(xml));
    assert.ok(items.some((i) => i.kind === 'file' && i.file.publicURI === '5c1e' && i.file.currentRevision?.mime === 'text/<plain>'));
  });

  it('rejects mismatched tags and endless text', async () => {
    await assert.rejects(read(['<folder name="x"><files><file name="a"></files></folder>']), /closes <file>/);
    await assert.rejects(read(['<folder name="x"><files><file name="a"><publicURI>', 'x'.repeat(300 * 1024)]), /longer than any listing/);
  });

  it('backend.list builds the same entries from the stream (trashed-only view, incomplete and corrupt filtered)', async () => {
    const names = async (trashedOnly: boolean) => (await b.list('/fl', { trashedOnly })).map((e) => `${e.kind}:${e.name}${e.deleted ? ' (deleted)' : ''}`).sort();
    const live = await names(false);
    assert.ok(live.includes('file:two revisions.txt') && live.includes('folder:sub & ＜folder＞') && live.includes('file:a &amp; b &#38; &lt;c'));
    assert.ok(!live.includes('file:pending.bin') && !live.includes('file:trashed.txt') && !live.includes('folder:gone folder'));
    assert.equal(live.length, HOSTILE_NAMES.length + 4);
    const trashed = await names(true);
    assert.ok(trashed.includes('file:trashed.txt (deleted)') && trashed.includes('folder:gone folder (deleted)'));
    await assert.rejects(b.list('/fl/shared.txt'), (e: Error & { code?: string }) => e.code === 'NOT_A_DIRECTORY');
    await assert.rejects(b.list('/fl/gone folder'), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
    await assert.rejects(b.list('/fl/missing'), (e: Error & { code?: string }) => e.code === 'NOT_FOUND');
  });
});
