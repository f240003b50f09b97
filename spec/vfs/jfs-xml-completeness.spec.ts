/**
 * lib/jottacloud/xml.ts (owned by the vfs performance work): the full XML validation pass that
 * only caught truncated documents (~30% of a listing's parse) became a check of the document's
 * end. Pinned here: every cut of a listing is still rejected, whole documents still parse.
 */
import assert from 'node:assert/strict';
import { parseJfsDocument } from '../../lib/jottacloud/xml.js';

const listing = `<?xml version="1.0" encoding="UTF-8"?>
<folder name="Archive" time="2024-01-01-T00:00:00Z" host="dn-1">
  <path xml:space="preserve">/u/Jotta</path>
  <folders>
    <folder name="a &gt; b"><abspath xml:space="preserve">/u/Jotta/Archive/a &gt; b</abspath></folder>
    <folder name='quote>"inside'/>
    <folder name="plain"/>
  </folders>
  <files>
    <file name="one.txt" uuid="u1"><currentRevision><number>1</number><state>COMPLETED</state><size>3</size><md5>ABC</md5></currentRevision></file>
    <file name="two.txt" uuid="u2"><currentRevision><number>2</number><state>COMPLETED</state><size>4</size><md5>def</md5></currentRevision><revisions><revision><number>1</number></revision></revisions></file>
  </files>
  <metadata first="" max="" total="5" num_folders="3" num_files="2"/>
</folder>
`;

describe('JFS XML: truncated documents are rejected without a validation pass', () => {
  it('a whole listing parses: repeated items are arrays, the root (same name) is not', () => {
    const doc = parseJfsDocument(listing);
    assert.equal(doc.kind, 'folder');
    if (doc.kind !== 'folder') return;
    assert.equal(doc.folder.name, 'Archive');
    assert.deepEqual(doc.folder.folders.map((f) => f.name), ['a > b', 'quote>"inside', 'plain']);
    assert.deepEqual(doc.folder.files.map((f) => f.name), ['one.txt', 'two.txt']);
    assert.equal(doc.folder.files[0]!.currentRevision?.md5, 'abc');
    assert.equal(doc.folder.files[1]!.revisions.length, 1);
  });

  it('a single item is still an array; a <file> document stays an object', () => {
    const one = parseJfsDocument('<folder name="x"><folders><folder name="only"/></folders><files><file name="f"><revisions><revision><number>1</number></revision></revisions></file></files></folder>');
    assert.ok(one.kind === 'folder' && one.folder.folders.length === 1 && one.folder.files[0]!.revisions.length === 1);
    const file = parseJfsDocument('<file name="f.txt"><currentRevision><size>1</size></currentRevision></file>');
    assert.ok(file.kind === 'file' && file.file.name === 'f.txt' && file.file.currentRevision?.size === 1);
    assert.equal(parseJfsDocument('<folder name="empty"/>').kind, 'folder');
  });

  it('regression: every cut of a listing is a protocol error, whatever byte it falls on', () => {
    const body = listing.trimEnd();
    for (let cut = 0; cut < body.length; cut++) {
      const prefix = body.slice(0, cut);
      assert.throws(() => parseJfsDocument(prefix), /XML/, `accepted a listing cut after ${cut} bytes: …${JSON.stringify(prefix.slice(-40))}`);
    }
  });
});
