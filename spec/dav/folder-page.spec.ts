import assert from 'node:assert/strict';
import { humanSize, kindOf, utcText } from '../../lib/dav/browse/format.js';
import { startTestServer, type TestServer } from './harness.js';

/** The names of the listing's rows, in order. */
function rowNames(html: string): string[] {
  return [...html.matchAll(/<tr data-name="([^"]*)"/g)].map((m) => m[1] as string);
}

/** The page's own assets, as it links them. */
function assetLinks(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"]*\/_jottadav\/[^"]*)"/g)].map((m) => m[1] as string);
}

describe('dav: the folder page without JavaScript', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await server.request('MKCOL', '/Docs/');
    await server.request('MKCOL', '/Docs/Sub/');
    await server.request('PUT', '/Docs/small.txt', { body: 'x'.repeat(10), headers: { 'X-OC-Mtime': '1600000000' } });
    await server.request('PUT', '/Docs/big.bin', { body: 'x'.repeat(12_345), headers: { 'X-OC-Mtime': '1500000000' } });
    await server.request('PUT', '/Docs/mid.md', { body: 'x'.repeat(1_500), headers: { 'X-OC-Mtime': '1700000000' } });
    await server.request('PUT', '/Docs/%3Cb%3E%26%22q%22.html', { body: '<b>hi</b>' });
  });
  after(() => server.close());

  it('lists a folder as an HTML table: breadcrumb links, folders first, human sizes, readable UTC dates', async () => {
    const res = await server.request('GET', '/Docs/');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.deepEqual(rowNames(res.body), ['Sub', '&lt;b&gt;&amp;&quot;q&quot;.html', 'big.bin', 'mid.md', 'small.txt']);
    assert.match(res.body, /<nav class="crumbs" aria-label="Breadcrumb"><ol><li><a href="\/">.*Home<\/span><\/a><\/li><li><a href="\/Docs\/" aria-current="page">Docs<\/a>/);
    assert.match(res.body, /<a href="\/Docs\/Sub\/">/);
    assert.match(res.body, /<a href="\/Docs\/big.bin">/);
    assert.match(res.body, /<td class="col-size">12.3 kB<\/td>/);
    assert.match(res.body, /<td class="col-size">10 bytes<\/td>/);
    assert.match(res.body, /<time datetime="2017-07-14T02:40:00.000Z">2017-07-14 02:40 UTC<\/time>/);
    assert.match(res.body, /<tr data-name="Sub" data-kind="folder" data-size="" data-modified="\d+">.*?<td class="col-modified"><time datetime="/, 'a folder shows its date when it has one');
    assert.match(res.body, /1 folder · 4 files · 13.9 kB/);
  });

  it('escapes every name it shows (a name is never markup)', async () => {
    const res = await server.request('GET', '/Docs/');
    assert.ok(!res.body.includes('<b>&'), 'the raw name must not appear');
    assert.match(res.body, /<span class="label">&lt;b&gt;&amp;&quot;q&quot;.html<\/span>/);
    assert.match(res.body, /href="\/Docs\/%3Cb%3E%26%22q%22.html"/);
  });

  it('sorts by the column the header link asks for (?sort=size&order=desc), folders still first', async () => {
    const bySize = await server.request('GET', '/Docs/?sort=size&order=desc');
    assert.deepEqual(rowNames(bySize.body), ['Sub', 'big.bin', 'mid.md', 'small.txt', '&lt;b&gt;&amp;&quot;q&quot;.html']);
    assert.match(bySize.body, /<th class="col-size" aria-sort="descending"><a class="sort" href="\?sort=size&amp;order=asc"/);
    const byDate = await server.request('GET', '/Docs/?sort=modified&order=asc');
    assert.deepEqual(rowNames(byDate.body).slice(1, 4), ['big.bin', 'small.txt', 'mid.md']);
    const nonsense = await server.request('GET', '/Docs/?sort=%3Cx%3E&order=sideways');
    assert.deepEqual(rowNames(nonsense.body), rowNames((await server.request('GET', '/Docs/')).body));
  });

  it('sends a strict Content-Security-Policy and has no inline script, inline style or outside address', async () => {
    const res = await server.request('GET', '/Docs/');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /style-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!csp.includes('unsafe'), csp);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.ok(![...res.body.matchAll(/<script\b([^>]*)>/g)].some((m) => !/\bsrc="/.test(m[1] as string)), 'every script has a src');
    assert.ok(!/<style\b/.test(res.body) && !/\sstyle="/.test(res.body), 'no inline style');
    assert.ok(!/\son[a-z]+="/.test(res.body), 'no inline event handlers');
    assert.ok(!/(?:src|href)="(?:https?:)?\/\//.test(res.body), 'no outside assets');
  });

  it('serves its script, style sheet and icon from the bridge itself, cacheable for good, before authentication', async () => {
    const page = await server.request('GET', '/Docs/');
    const links = assetLinks(page.body);
    assert.equal(links.length, 3);
    const types: string[] = [];
    for (const link of links) {
      const res = await server.request('GET', link, { auth: false });
      assert.equal(res.status, 200, link);
      assert.ok(res.body.length > 100, link);
      assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      types.push(String(res.headers['content-type']).split(';')[0] as string);
    }
    assert.deepEqual(types.sort(), ['image/svg+xml', 'text/css', 'text/javascript']);
    // Only the exact asset names are public: anything else below /_jottadav/ is the WebDAV tree.
    assert.equal((await server.request('GET', '/_jottadav/app.js', { auth: false })).status, 401);
    assert.equal((await server.request('PUT', links[0] as string, { auth: false, body: 'x' })).status, 401);
  });

  it('shows the change controls to a writer only', async () => {
    const writer = await server.request('GET', '/Docs/');
    assert.match(writer.body, /id="upload"/);
    assert.match(writer.body, /data-action="delete"/);
    const reader = await server.request('GET', '/Docs/', { auth: `Basic ${Buffer.from('reader:p@ss:word').toString('base64')}` });
    assert.equal(reader.status, 200);
    assert.doesNotMatch(reader.body, /id="upload"|id="new-folder"|data-action=/);
    assert.match(reader.body, /read-only/);
  });

  it('says so when a folder is empty', async () => {
    const res = await server.request('GET', '/Docs/Sub/');
    assert.match(res.body, /This folder is empty\./);
    assert.match(res.body, /0 folders · 0 files/);
  });

  it('answers HEAD on a folder with the page headers and no body', async () => {
    const res = await server.request('HEAD', '/Docs/');
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  });
});

describe('dav: the folder page below a base path', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ basePath: '/dav/' });
    await server.request('MKCOL', '/dav/A%20B/');
  });
  after(() => server.close());

  it('links folders, breadcrumb and assets below the base path, and serves the assets there', async () => {
    const res = await server.request('GET', '/dav/A%20B/');
    assert.equal(res.status, 200);
    assert.match(res.body, /<a href="\/dav\/"[^>]*>.*Home/);
    assert.match(res.body, /<a href="\/dav\/A%20B\/" aria-current="page">A B<\/a>/);
    const links = assetLinks(res.body);
    assert.equal(links.length, 3);
    for (const link of links) {
      assert.ok(link.startsWith('/dav/_jottadav/'), link);
      assert.equal((await server.request('GET', link, { auth: false })).status, 200);
    }
  });
});

describe('dav: folder page formats', () => {
  it('writes sizes in decimal units, one decimal below 100', () => {
    const cases: Array<[number, string]> = [
      [0, '0 bytes'], [1, '1 byte'], [999, '999 bytes'], [1000, '1 kB'], [1234, '1.2 kB'], [99_949, '99.9 kB'],
      [123_456, '123 kB'], [5_900_000, '5.9 MB'], [2_000_000_000, '2 GB'], [3.5e15, '3.5 PB'], [4e18, '4000 PB'],
    ];
    for (const [bytes, text] of cases) assert.equal(humanSize(bytes), text, String(bytes));
  });

  it('writes the fallback date in UTC to the minute', () => {
    assert.equal(utcText(new Date('2026-12-02T13:51:59.999Z')), '2026-12-02 13:51 UTC');
  });

  it('chooses icons by extension, case-insensitively; folders and unknown names have their own', () => {
    assert.equal(kindOf('Photo.JPG', false), 'image');
    assert.equal(kindOf('report.pdf', false), 'pdf');
    assert.equal(kindOf('Budget.xlsx', false), 'spreadsheet');
    assert.equal(kindOf('photos.jpg', true), 'folder');
    assert.equal(kindOf('.bashrc', false), 'file');
    assert.equal(kindOf('README', false), 'file');
  });
});
