import assert from 'node:assert/strict';
import { readListStream, type ListStreamItem } from '../../lib/jottacloud/liststream.js';

const SAMPLE =
  '<?xml version="1.0" encoding="UTF-8"?><liststream><folder><path>/Archive/Reports</path></folder>' +
  '<folder><path>/Archive/Reports/2023 &amp; more</path></folder>' +
  '<file><path>/Archive/Reports/2023 &amp; more</path><filename>jan &lt;1&gt;.csv</filename><md5>5D41402ABC4B2A76B9719D911017C592</md5><size>5</size><modified>2023-02-01T10:00:00.750Z</modified><created>2023-02-01T09:00:00.000Z</created></file>' +
  '<folder><path>/Archive/Reports/Drafts</path></folder>' +
  '<file><path>/Archive/Reports</path><filename>q4 summary &#x1F600;.pdf</filename><md5>9f86d081884c7d659a2feaa0c55ad015</md5><size>482113</size><modified>2024-01-12T16:45:10.000Z</modified><created>2024-01-10T08:00:00.000Z</created></file>' +
  '<stats><folders>3</folders><files>2</files></stats></liststream>';

async function read(chunks: Array<string | Uint8Array>): Promise<ListStreamItem[]> {
  const out: ListStreamItem[] = [];
  for await (const item of readListStream(chunks)) out.push(item);
  return out;
}

describe('jottacloud: liststream answers read as they arrive', () => {
  it('reads folders, files (entities decoded, MD5 lowercased, times to whole seconds) and stats', async () => {
    const items = await read([SAMPLE]);
    assert.deepEqual(items[1], { kind: 'folder', path: '/Archive/Reports/2023 & more' });
    assert.deepEqual(items[2], {
      kind: 'file', path: '/Archive/Reports/2023 & more', name: 'jan <1>.csv', md5: '5d41402abc4b2a76b9719d911017c592', size: 5,
      modified: new Date('2023-02-01T10:00:00Z'), created: new Date('2023-02-01T09:00:00Z'),
    });
    assert.equal(items[4]!.kind === 'file' && items[4]!.name, 'q4 summary 😀.pdf');
    assert.deepEqual(items[5], { kind: 'stats', folders: 3, files: 2 });
  });

  it('gives the same items whatever the chunk boundaries, also inside a multi-byte character', async () => {
    const bytes = Buffer.from(SAMPLE.replace('Drafts', 'Drafts ø 世界'), 'utf8');
    const whole = await read([bytes]);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      assert.deepEqual(await read([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
    }
    const bytewise = Array.from(bytes, (b) => Uint8Array.of(b));
    assert.deepEqual(await read(bytewise), whole);
  });

  it('counts a file whose folder has no element of its own as that folder, as rclone does', async () => {
    const doc = '<x><folder><path>/A</path></folder><file><path>/A/implicit</path><filename>f</filename><md5>00000000000000000000000000000000</md5><size>0</size></file><stats><folders>2</folders><files>1</files></stats></x>';
    assert.equal((await read([doc])).length, 3);
  });

  it('rejects a truncated answer, one whose stats disagree, and an element that never ends', async () => {
    await assert.rejects(read([SAMPLE.slice(0, SAMPLE.indexOf('<stats>'))]), /no <stats>/);
    await assert.rejects(read([SAMPLE.replace('<files>2</files>', '<files>3</files>')]), /<stats> counts/);
    await assert.rejects(read(['<x><file><path>/A</path>', 'x'.repeat(300 * 1024)]), /longer than any listing/);
    await assert.rejects(read(['<x><file><path>/A</path><size>1</size></file>']), /without <filename>/);
  });
});
