/**
 * Listing cache, metadata, quota and delete policy through the whole stack. Costs are counted in
 * the emulator's request log; times, checksums and the trash are read on the emulator's side.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startStack, type Stack } from '../support/stack.js';
import { dav, href, hrefsOf, isJfsListing, logLength, logSince, propfind, propText, RemoteView, responseFor } from './helpers.js';

const md5 = (b: string) => createHash('md5').update(b).digest('hex');
const QUOTA_BODY = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/><D:quota-available-bytes/></D:prop></D:propfind>';
const OC_BODY = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:oc="http://owncloud.org/ns"><D:prop><D:getetag/><D:getlastmodified/><D:getcontentlength/><oc:checksums/></D:prop></D:propfind>';

/** The child names (last href segment) of a Depth 1 multistatus, the folder itself left out. */
function childNames(xml: string, folder: string): string[] {
  return hrefsOf(xml)
    .map((h) => h.replace(/\/$/, ''))
    .filter((h) => h !== folder && h.startsWith(`${folder}/`))
    .map((h) => h.slice(folder.length + 1))
    .sort();
}

describe('e2e: listing cache', function () {
  this.timeout(30_000);
  let stack: Stack;
  let remote: RemoteView;
  const dest = (path: string) => new URL(href(path).slice(1), stack.url).href;
  const list = async (folder: string) => {
    const { status, xml } = await propfind(stack, folder, '1');
    assert.equal(status, 207, xml);
    return { xml, names: childNames(xml, folder) };
  };

  before(async () => {
    // A long TTL: anything the bridge shows after a change comes from invalidation, not expiry.
    stack = await startStack({ config: { cache: { listingTtl: '1h' } } });
    remote = await RemoteView.open(stack);
    // Out of band, before the bridge looks at anything.
    for (let i = 0; i < 25; i++) await remote.upload(`/big/file-${String(i).padStart(2, '0')}.txt`, `content ${i}`.repeat(i + 1));
  });
  after(async () => stack?.close());

  // With the parent's listing cached (here: the root, listed first); the cold case: listing-cost.spec.ts.
  it('a PROPFIND Depth 1 of a folder costs at most one JFS listing, with every per-item property from it', async () => {
    assert.equal((await propfind(stack, '/', '1')).status, 207);
    const since = logLength(stack);
    const { xml, names } = await list('/big');
    const log = logSince(stack, since);
    assert.ok(log.filter(isJfsListing).length <= 1, JSON.stringify(log.map((e) => `${e.method} ${e.path}?${e.query}`)));
    assert.equal(log.length, log.filter(isJfsListing).length, 'no other request (no per-file GET)');
    assert.equal(names.length, 25);
    const r7 = responseFor(xml, '/big/file-07.txt')!;
    assert.equal(propText(r7, 'getcontentlength'), String('content 7'.repeat(8).length));
    assert.ok(propText(r7, 'getetag')?.includes(md5('content 7'.repeat(8))));
  });

  it('a second one within the TTL costs nothing on the service', async () => {
    await list('/big');
    const since = logLength(stack);
    const { names } = await list('/big');
    assert.equal(names.length, 25);
    assert.deepEqual(logSince(stack, since), []);
    // Proof that it is served from the cache: an out-of-band change is not seen within the TTL.
    await remote.upload('/big/out-of-band.txt', 'x');
    assert.ok(!(await list('/big')).names.includes('out-of-band.txt'));
  });

  it('every change through the bridge invalidates, so the next listing is correct', async () => {
    assert.equal((await dav(stack, 'MKCOL', '/inv')).status, 201);
    assert.equal((await dav(stack, 'MKCOL', '/inv2')).status, 201);
    assert.deepEqual((await list('/inv')).names, []);
    assert.deepEqual((await list('/inv2')).names, []);

    assert.equal((await dav(stack, 'PUT', '/inv/a.txt', { body: 'aaa' })).status, 201);
    let xml = (await list('/inv')).xml;
    assert.deepEqual(childNames(xml, '/inv'), ['a.txt']);
    assert.equal(propText(responseFor(xml, '/inv/a.txt')!, 'getcontentlength'), '3');

    assert.equal((await dav(stack, 'PUT', '/inv/a.txt', { body: 'aaaaa' })).status, 204);
    xml = (await list('/inv')).xml;
    assert.equal(propText(responseFor(xml, '/inv/a.txt')!, 'getcontentlength'), '5');

    assert.equal((await dav(stack, 'COPY', '/inv/a.txt', { headers: { Destination: dest('/inv2/copy.txt') } })).status, 201);
    assert.deepEqual((await list('/inv2')).names, ['copy.txt']);
    assert.deepEqual((await list('/inv')).names, ['a.txt']);

    assert.equal((await dav(stack, 'MOVE', '/inv/a.txt', { headers: { Destination: dest('/inv2/moved.txt') } })).status, 201);
    assert.deepEqual((await list('/inv')).names, []);
    assert.deepEqual((await list('/inv2')).names, ['copy.txt', 'moved.txt']);

    assert.equal((await dav(stack, 'MKCOL', '/inv/sub')).status, 201);
    assert.deepEqual((await list('/inv')).names, ['sub']);

    assert.equal((await dav(stack, 'DELETE', '/inv2/copy.txt')).status, 204);
    assert.deepEqual((await list('/inv2')).names, ['moved.txt']);

    const before = propText(responseFor((await list('/inv2')).xml, '/inv2/moved.txt')!, 'getlastmodified');
    const patch = await dav(stack, 'PROPPATCH', '/inv2/moved.txt', {
      headers: { 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getlastmodified>Mon, 03 Jan 2000 04:05:06 GMT</D:getlastmodified></D:prop></D:set></D:propertyupdate>',
    });
    assert.equal(patch.status, 207);
    const after = propText(responseFor((await list('/inv2')).xml, '/inv2/moved.txt')!, 'getlastmodified');
    assert.notEqual(after, before);
    assert.equal(after, 'Mon, 03 Jan 2000 04:05:06 GMT');
    // And the emulator agrees with everything the bridge now lists.
    assert.deepEqual(await remote.live('/inv'), ['sub']);
    assert.deepEqual(await remote.live('/inv2'), ['moved.txt']);
  });
});

describe('e2e: metadata', function () {
  this.timeout(30_000);
  let stack: Stack;
  let remote: RemoteView;
  const props = async (path: string) => {
    const { status, xml } = await propfind(stack, path, '0', OC_BODY);
    assert.equal(status, 207, xml);
    return xml;
  };

  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
  });
  after(async () => stack?.close());

  it('ETag from MD5 and size: equal for equal content, changed by new content; oc:checksums is MD5:<hex>', async () => {
    assert.equal((await dav(stack, 'PUT', '/e1.txt', { body: 'same' })).status, 201);
    assert.equal((await dav(stack, 'PUT', '/e2.txt', { body: 'same' })).status, 201);
    const e1 = propText(await props('/e1.txt'), 'getetag');
    const e2 = propText(await props('/e2.txt'), 'getetag');
    assert.ok(e1?.includes(md5('same')), e1);
    assert.equal(e1, e2);
    const head = await dav(stack, 'HEAD', '/e1.txt');
    assert.equal(head.headers.get('etag'), e1);
    assert.equal((await dav(stack, 'PUT', '/e1.txt', { body: 'different' })).status, 204);
    const xml = await props('/e1.txt');
    assert.notEqual(propText(xml, 'getetag'), e1);
    assert.equal(propText(xml, 'checksum'), `MD5:${md5('different')}`);
    assert.equal((await remote.file('/e1.txt')).md5, md5('different'));
  });

  it('X-OC-Mtime sets the modified time on Jottacloud (whole seconds) and getlastmodified shows it', async () => {
    const put = await dav(stack, 'PUT', '/mtime.txt', { headers: { 'X-OC-Mtime': '1620208800.789' }, body: 'timed' });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('x-oc-mtime'), 'accepted');
    assert.equal((await remote.file('/mtime.txt')).modified, '2021-05-05-T10:00:00Z');
    assert.equal(propText(await props('/mtime.txt'), 'getlastmodified'), 'Wed, 05 May 2021 10:00:00 GMT');
  });

  const patches: Array<[string, string, string]> = [
    ['DAV: getlastmodified', '<D:getlastmodified>Tue, 14 Feb 2012 08:09:10 GMT</D:getlastmodified>', '2012-02-14-T08:09:10Z'],
    ['DAV: lastmodified (rclone, Unix seconds)', '<D:lastmodified>1331712550</D:lastmodified>', '2012-03-14-T08:09:10Z'],
    ['Win32LastModifiedTime (Windows)', '<Z:Win32LastModifiedTime xmlns:Z="urn:schemas-microsoft-com:">Sat, 14 Apr 2012 08:09:10 GMT</Z:Win32LastModifiedTime>', '2012-04-14-T08:09:10Z'],
  ];
  for (const [label, prop, jotta] of patches) {
    it(`a PROPPATCH of ${label} sets the modified time on Jottacloud`, async () => {
      const name = `/patched-${jotta.slice(0, 10)}.txt`;
      assert.equal((await dav(stack, 'PUT', name, { body: 'patch me' })).status, 201);
      const res = await dav(stack, 'PROPPATCH', name, {
        headers: { 'Content-Type': 'application/xml' },
        body: `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>${prop}</D:prop></D:set></D:propertyupdate>`,
      });
      const xml = await res.text();
      assert.equal(res.status, 207);
      assert.match(xml, /HTTP\/1\.1 200/);
      assert.equal((await remote.file(name)).modified, jotta);
      const shown = propText(await props(name), 'getlastmodified');
      assert.equal(new Date(shown!).toISOString(), jotta.replace('-T', 'T').replace('Z', '.000Z'));
    });
  }

  it('creationdate and getlastmodified are whole seconds', async () => {
    assert.equal((await dav(stack, 'PUT', '/dates.txt', { body: 'd' })).status, 201);
    const { xml } = await propfind(stack, '/dates.txt', '0');
    const created = propText(xml, 'creationdate');
    assert.match(created ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(propText(xml, 'getlastmodified') ?? '', /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
  });
});

describe('e2e: quota properties', function () {
  this.timeout(30_000);

  it('reports used and available bytes on collections when the account has a capacity', async () => {
    const stack = await startStack({ emulator: { capacity: 1_000_000 } });
    try {
      assert.equal((await dav(stack, 'PUT', '/q.bin', { body: 'x'.repeat(1000) })).status, 201);
      const { status, xml } = await propfind(stack, '/', '0', QUOTA_BODY);
      assert.equal(status, 207);
      assert.equal(propText(xml, 'quota-used-bytes'), '1000');
      assert.equal(propText(xml, 'quota-available-bytes'), String(1_000_000 - 1000));
      // Files have no quota properties.
      const file = await propfind(stack, '/q.bin', '0', QUOTA_BODY);
      assert.equal(propText(file.xml, 'quota-used-bytes'), undefined);
    } finally {
      await stack.close();
    }
  });

  it('leaves quota-available-bytes out on an unlimited account (never 0)', async () => {
    const stack = await startStack();
    try {
      const { xml } = await propfind(stack, '/', '0', QUOTA_BODY);
      assert.equal(propText(xml, 'quota-used-bytes'), '0');
      assert.equal(propText(xml, 'quota-available-bytes'), undefined);
      assert.match(xml, /<(?:\w+:)?quota-available-bytes\s*\/>[\s\S]*404|404[\s\S]*<(?:\w+:)?quota-available-bytes\s*\/>/);
    } finally {
      await stack.close();
    }
  });

  it('leaves both out when the usage cannot be read (never 0)', async () => {
    const stack = await startStack({ emulator: { capacity: 1_000_000 } });
    try {
      // The account document is where usage comes from; a non-retryable refusal makes it unknown.
      stack.emulator.controls.failNext({ method: 'GET', path: new RegExp(`^/jfs/${stack.emulator.username}/?$`), status: 400, times: 1 });
      const { status, xml } = await propfind(stack, '/', '0', QUOTA_BODY);
      assert.equal(status, 207);
      assert.equal(propText(xml, 'quota-used-bytes'), undefined);
      assert.equal(propText(xml, 'quota-available-bytes'), undefined);
      assert.ok(stack.emulator.controls.requests().some((r) => r.status === 400), 'the fault was hit');
    } finally {
      await stack.close();
    }
  });
});

describe('e2e: delete policy and the trashed-only view', function () {
  this.timeout(30_000);

  it('DELETE moves to the trash by default (the Trash view lists it)', async () => {
    const stack = await startStack();
    try {
      const remote = await RemoteView.open(stack);
      assert.equal((await dav(stack, 'PUT', '/soft.txt', { body: 'soft' })).status, 201);
      assert.equal((await dav(stack, 'DELETE', '/soft.txt')).status, 204);
      assert.equal((await dav(stack, 'GET', '/soft.txt')).status, 404);
      assert.ok((await remote.trashNames()).includes('soft.txt'));
      assert.ok((await remote.children('/')).some((c) => c.name === 'soft.txt' && c.deleted));
    } finally {
      await stack.close();
    }
  });

  it('with hardDelete the item is deleted permanently (not in the Trash)', async () => {
    const stack = await startStack({ config: { hardDelete: true } });
    try {
      const remote = await RemoteView.open(stack);
      assert.equal((await dav(stack, 'PUT', '/hard.txt', { body: 'hard' })).status, 201);
      assert.equal((await dav(stack, 'MKCOL', '/hard-dir')).status, 201);
      assert.equal((await dav(stack, 'DELETE', '/hard.txt')).status, 204);
      assert.equal((await dav(stack, 'DELETE', '/hard-dir')).status, 204);
      assert.deepEqual(await remote.trashNames(), []);
      assert.deepEqual(await remote.children('/'), []);
      assert.equal((await remote.file('/hard.txt')).status, 404);
    } finally {
      await stack.close();
    }
  });

  // Reading a trashed file's bytes through this view is pending: trashed-read.pending.ts.
  it('the trashedOnly view lists trashed items and refuses writes', async () => {
    const stack = await startStack({ config: { trashedOnly: true } });
    try {
      const remote = await RemoteView.open(stack);
      await remote.upload('/old/gone.txt', 'trashed bytes');
      await remote.upload('/old/alive.txt', 'still here');
      const dl = await remote.session.post('Jotta/Archive/old/gone.txt', 'dl=true');
      assert.equal(dl.status, 200, await dl.text());
      const { status, xml } = await propfind(stack, '/old', '1');
      assert.equal(status, 207);
      assert.deepEqual(childNames(xml, '/old'), ['gone.txt']);
      assert.equal((await dav(stack, 'PUT', '/old/new.txt', { body: 'no' })).status, 403);
      assert.equal((await dav(stack, 'DELETE', '/old/gone.txt')).status, 403);
      assert.equal((await dav(stack, 'MKCOL', '/old/dir')).status, 403);
      assert.equal((await dav(stack, 'MOVE', '/old/gone.txt', { headers: { Destination: new URL('old/back.txt', stack.url).href } })).status, 403);
      assert.ok((await remote.trashNames()).includes('gone.txt'), 'still in the trash');
    } finally {
      await stack.close();
    }
  });
});
