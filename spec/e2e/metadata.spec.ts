/**
 * The metadata clients show, over the whole stack: content types that follow the name through
 * MOVE and COPY, folder dates, the public link and older revisions in our own namespace, and the
 * status of a name that is too long.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { JOTTADAV_NS } from '../../lib/dav/props.js';
import { startStack, type Stack } from '../support/stack.js';
import { dav, destinationOf, propfind, propText, RemoteView, responseFor } from './helpers.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** PROPFIND naming properties (`[ns, local]`). */
function propfindProps(stack: Stack, path: string, depth: '0' | '1', props: [string, string][]) {
  const body =
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>' +
    props.map(([ns, local]) => `<p:${local} xmlns:p="${ns}"/>`).join('') +
    '</D:prop></D:propfind>';
  return propfind(stack, path, depth, body);
}

/** The propstat status a property is reported under in one `<response>`. */
function statusOf(response: string, local: string): number | undefined {
  for (const m of response.matchAll(/<(?:\w+:)?propstat>([\s\S]*?)<\/(?:\w+:)?propstat>/g)) {
    if (new RegExp(`<(?:\\w+:)?${local}\\b`).test(m[1]!)) return Number(/HTTP\/1\.1 (\d{3})/.exec(m[1]!)?.[1]);
  }
  return undefined;
}

describe('e2e: metadata clients show', function () {
  this.timeout(60_000);
  let stack: Stack;
  let remote: RemoteView;
  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
    // Written straight to the service before the bridge lists anything (a cached listing would
    // hide them for its TTL, as it hides any change made with another tool).
    await remote.upload('/types/data.bin', 'bytes');
    await remote.session.upload('Jotta/Archive/dated/a.txt', 'a', { created: '2020-06-01T00:00:00Z', modified: '2021-01-01T00:00:00Z' });
    await remote.session.upload('Jotta/Archive/dated/sub/b.txt', 'b', { created: '2019-01-01T00:00:00Z', modified: '2022-02-02T00:00:00Z' });
    await remote.session.upload('Jotta/Archive/dated/unread/c.txt', 'c', { created: '2018-01-01T00:00:00Z', modified: '2023-03-03T00:00:00Z' });
    await remote.mkdir('/dated/empty');
    await remote.upload('/shared/doc.txt', 'shared');
    await remote.upload('/shared/private.txt', 'private');
    await remote.upload('/shared/folder/inner.txt', 'inner');
    for (const folder of ['/save', '/versioned', '/long']) assert.equal((await dav(stack, 'MKCOL', folder)).status, 201);
  });
  after(async () => stack?.close());

  describe('getcontenttype follows the current name', () => {
    it('regression: after a safe-save (PUT x.tmp, MOVE to Report.docx) the type is the docx type, not octet-stream', async () => {
      assert.equal((await dav(stack, 'PUT', '/save/x.tmp', { body: 'draft' })).status, 201);
      const moved = await dav(stack, 'MOVE', '/save/x.tmp', { headers: { Destination: destinationOf(stack, '/save/Report.docx') } });
      assert.equal(moved.status, 201);
      const { xml } = await propfind(stack, '/save', '1');
      assert.equal(propText(responseFor(xml, '/save/Report.docx')!, 'getcontenttype'), DOCX);
      assert.equal((await dav(stack, 'GET', '/save/Report.docx')).headers.get('content-type'), DOCX);
    });

    it('a file uploaded by another tool and renamed through the bridge, and a COPY to a new extension', async () => {
      const moved = await dav(stack, 'MOVE', '/types/data.bin', { headers: { Destination: destinationOf(stack, '/types/data.pdf') } });
      assert.equal(moved.status, 201);
      const copied = await dav(stack, 'COPY', '/types/data.pdf', { headers: { Destination: destinationOf(stack, '/types/copy.txt') } });
      assert.equal(copied.status, 201);
      const { xml } = await propfind(stack, '/types', '1');
      assert.equal(propText(responseFor(xml, '/types/data.pdf')!, 'getcontenttype'), 'application/pdf');
      assert.equal(propText(responseFor(xml, '/types/copy.txt')!, 'getcontenttype'), 'text/plain');
      // A fresh bridge view (listing read from Jottacloud, not edited in the cache) says the same.
      const again = await propfind(stack, '/types/copy.txt', '0');
      assert.equal(propText(again.xml, 'getcontenttype'), 'text/plain');
      // An unknown extension is served as octet-stream whatever type the service stored.
      await dav(stack, 'MOVE', '/types/copy.txt', { headers: { Destination: destinationOf(stack, '/types/copy.unknownext') } });
      assert.equal(propText((await propfind(stack, '/types/copy.unknownext', '0')).xml, 'getcontenttype'), 'application/octet-stream');
    });
  });

  describe('folder dates', () => {
    it('the emulator, like Jottacloud, sends no dates for folders (so the bridge derives them)', async () => {
      const { xml } = await remote.document('/dated');
      assert.doesNotMatch(xml.replace(/<currentRevision>[\s\S]*?<\/currentRevision>/g, ''), /<modified>|<created>/);
    });

    it('a folder gets the newest modification and the oldest creation time among its children', async () => {
      const { xml } = await propfind(stack, '/dated/sub', '0');
      assert.equal(propText(xml, 'getlastmodified'), new Date('2022-02-02T00:00:00Z').toUTCString());
      assert.equal(propText(xml, 'creationdate'), '2019-01-01T00:00:00Z');
    });

    it('in a listing, subfolders whose listing was read count and show their dates; others and empty ones have none', async () => {
      const { xml } = await propfind(stack, '/dated', '1');
      const own = responseFor(xml, '/dated/')!;
      // sub (2022, read above) is newer than a.txt (2021); unread (2023) is not known yet.
      assert.equal(propText(own, 'getlastmodified'), new Date('2022-02-02T00:00:00Z').toUTCString());
      assert.equal(propText(own, 'creationdate'), '2019-01-01T00:00:00Z');
      assert.equal(propText(responseFor(xml, '/dated/sub/')!, 'getlastmodified'), new Date('2022-02-02T00:00:00Z').toUTCString());
      assert.equal(propText(responseFor(xml, '/dated/unread/')!, 'getlastmodified'), undefined);
      assert.equal(propText(responseFor(xml, '/dated/empty/')!, 'getlastmodified'), undefined);
      // Once read, it counts.
      await propfind(stack, '/dated/unread', '1');
      const after = await propfind(stack, '/dated', '1');
      assert.equal(propText(responseFor(after.xml, '/dated/unread/')!, 'getlastmodified'), new Date('2023-03-03T00:00:00Z').toUTCString());
      assert.equal(propText(responseFor(after.xml, '/dated/')!, 'getlastmodified'), new Date('2023-03-03T00:00:00Z').toUTCString());
      assert.equal(propText(responseFor(after.xml, '/dated/')!, 'creationdate'), '2018-01-01T00:00:00Z');
    });

    it('the root has dates too, and a new file makes its folder newer', async () => {
      const put = await dav(stack, 'PUT', '/dated/sub/new.txt', { body: 'n', headers: { 'X-OC-Mtime': String(Date.UTC(2024, 4, 4) / 1000) } });
      assert.equal(put.status, 201);
      assert.equal(propText((await propfind(stack, '/dated/sub', '0')).xml, 'getlastmodified'), new Date('2024-05-04T00:00:00Z').toUTCString());
      assert.ok(propText((await propfind(stack, '/', '0')).xml, 'getlastmodified'));
    });
  });

  describe('folder dates after changes', () => {
    it('regression: a folder deleted and made anew does not keep the dates of the old one', async () => {
      await propfind(stack, '/dated/unread', '1');
      assert.ok(propText(responseFor((await propfind(stack, '/dated', '1')).xml, '/dated/unread/')!, 'getlastmodified'));
      assert.equal((await dav(stack, 'DELETE', '/dated/unread')).status, 204);
      assert.equal((await dav(stack, 'MKCOL', '/dated/unread')).status, 201);
      const { xml } = await propfind(stack, '/dated', '1');
      assert.equal(propText(responseFor(xml, '/dated/unread/')!, 'getlastmodified'), undefined);
    });

    it('a moved folder shows its dates under the new name once read, none under the old', async () => {
      const moved = await dav(stack, 'MOVE', '/dated/sub', { headers: { Destination: destinationOf(stack, '/dated/moved') } });
      assert.equal(moved.status, 201);
      assert.ok(propText((await propfind(stack, '/dated/moved', '0')).xml, 'getlastmodified'));
      assert.equal((await dav(stack, 'MKCOL', '/dated/sub')).status, 201);
      assert.equal(propText(responseFor((await propfind(stack, '/dated', '1')).xml, '/dated/sub/')!, 'getlastmodified'), undefined);
    });
  });

  describe('public link (our namespace)', () => {
    const share = async (path: string, on: boolean) => {
      const res = await fetch(`${remote.session.jfs(`Jotta/Archive${path}`)}?mode=${on ? 'enableShare' : 'disableShare'}`, remote.session.auth());
      assert.equal(res.status, 200, await res.text());
    };

    it('is readable for a shared file and folder, also in a Depth 1 listing; absent (404) otherwise', async () => {
      await share('/shared/doc.txt', true);
      await share('/shared/folder', true);
      const { status, xml } = await propfindProps(stack, '/shared', '1', [[JOTTADAV_NS, 'public-link']]);
      assert.equal(status, 207);
      const link = (path: string) => propText(responseFor(xml, path)!, 'public-link');
      assert.match(link('/shared/doc.txt')!, new RegExp(`/opin/io/downloadPublic/${stack.emulator.username}/[0-9a-f]{32}$`));
      assert.match(link('/shared/folder/')!, /\/opin\/io\/downloadPublic\//);
      assert.equal(statusOf(responseFor(xml, '/shared/private.txt')!, 'public-link'), 404);
      // The link is the one the service serves without credentials.
      assert.equal(await (await fetch(link('/shared/doc.txt')!.replace(/^https?:\/\/[^/]+\//, stack.emulator.urls.www))).text(), 'shared');
      await share('/shared/doc.txt', false);
      const after = await propfindProps(stack, '/shared/doc.txt', '0', [[JOTTADAV_NS, 'public-link']]);
      assert.equal(statusOf(after.xml, 'public-link'), 404);
    });

    it('is protected: PROPPATCH cannot set it', async () => {
      const body = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:j="${JOTTADAV_NS}"><D:set><D:prop><j:public-link>x</j:public-link></D:prop></D:set></D:propertyupdate>`;
      const res = await dav(stack, 'PROPPATCH', '/shared/private.txt', { headers: { 'Content-Type': 'application/xml' }, body });
      assert.equal(res.status, 207);
      assert.equal(statusOf(await res.text(), 'public-link'), 403);
    });
  });

  describe('revisions (our namespace, read-only)', () => {
    it('lists the older revisions of a file, newest first: number, state, size, MD5, modified', async () => {
      for (const [i, body] of ['one', 'second', 'third!!'].entries()) {
        const res = await dav(stack, 'PUT', '/versioned/notes.txt', { body, headers: { 'X-OC-Mtime': String(Date.UTC(2020, 0, i + 1) / 1000) } });
        assert.ok(res.status === 201 || res.status === 204, String(res.status));
      }
      const { xml } = await propfindProps(stack, '/versioned', '1', [[JOTTADAV_NS, 'revisions'], ['DAV:', 'getcontentlength']]);
      const response = responseFor(xml, '/versioned/notes.txt')!;
      const revisions = [...response.matchAll(/<(?:\w+:)?revision>([\s\S]*?)<\/(?:\w+:)?revision>/g)].map((m) => ({
        number: propText(m[1]!, 'number'),
        state: propText(m[1]!, 'state'),
        size: propText(m[1]!, 'size'),
        md5: propText(m[1]!, 'md5'),
        modified: propText(m[1]!, 'modified'),
      }));
      assert.deepEqual(revisions, [
        { number: '2', state: 'COMPLETED', size: '6', md5: md5('second'), modified: '2020-01-02T00:00:00Z' },
        { number: '1', state: 'COMPLETED', size: '3', md5: md5('one'), modified: '2020-01-01T00:00:00Z' },
      ]);
      assert.equal(propText(response, 'getcontentlength'), '7');
      // A collection has no revisions.
      assert.equal(statusOf(responseFor(xml, '/versioned/')!, 'revisions'), 404);
    });

    it('a file with one revision reports an empty list', async () => {
      await dav(stack, 'PUT', '/versioned/once.txt', { body: 'once' });
      const { xml } = await propfindProps(stack, '/versioned/once.txt', '0', [[JOTTADAV_NS, 'revisions']]);
      assert.equal(statusOf(xml, 'revisions'), 200);
      assert.doesNotMatch(xml, /<(?:\w+:)?revision>/);
    });
  });

  describe('a name that is too long', () => {
    const long = 'n'.repeat(256);
    const isNameTooLong = async (res: Response) => {
      assert.equal(res.status, 414);
      const body = await res.text();
      assert.match(body, /<s:exception>NameTooLong<\/s:exception>/);
      assert.match(body, /255/);
    };

    it('answers 414 with a NameTooLong DAV error body on PUT, MKCOL, MOVE and COPY, and nothing is written', async () => {
      await isNameTooLong(await dav(stack, 'PUT', `/long/${long}.txt`, { body: 'x' }));
      await isNameTooLong(await dav(stack, 'MKCOL', `/long-${long}`));
      assert.equal((await dav(stack, 'PUT', '/long/ok.txt', { body: 'ok' })).status, 201);
      await isNameTooLong(await dav(stack, 'MOVE', '/long/ok.txt', { headers: { Destination: destinationOf(stack, `/long/${long}`) } }));
      await isNameTooLong(await dav(stack, 'COPY', '/long/ok.txt', { headers: { Destination: destinationOf(stack, `/long/${long}`) } }));
      assert.deepEqual(await remote.live('/long'), ['ok.txt']);
      // 255 units is still fine.
      assert.equal((await dav(stack, 'PUT', `/long/${'n'.repeat(251)}.txt`, { body: 'x' })).status, 201);
    });
  });
});
