/**
 * The folder page in a real Chromium over the whole stack (emulator, bridge, Basic auth): what a
 * person does with it (upload through the file picker, drop a file, create, rename and delete,
 * navigate by breadcrumb, sort, filter), each checked afterwards over WebDAV, not by the page.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchChromium, openPage, requireChromium, watchPageProblems } from '../support/chromium.js';
import { startStack, type Stack } from '../support/stack.js';
import { dav, getText } from './helpers.js';

async function rowNames(page: Page): Promise<string[]> {
  return page.$$eval('#listing tbody tr[data-name]', (rows) => rows.map((row) => row.getAttribute('data-name') ?? ''));
}

async function visibleRowNames(page: Page): Promise<string[]> {
  return page.$$eval('#listing tbody tr[data-name]:not([hidden])', (rows) => rows.map((row) => row.getAttribute('data-name') ?? ''));
}

/** The names (and whether each is a folder) of a folder's members over WebDAV PROPFIND. */
async function propfindNames(stack: Stack, path: string): Promise<string[]> {
  const res = await dav(stack, 'PROPFIND', path, { headers: { Depth: '1' } });
  assert.equal(res.status, 207);
  const xml = await res.text();
  return [...xml.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(m[1] as string)).slice(1);
}

async function propOf(stack: Stack, path: string, prop: string): Promise<string | undefined> {
  const res = await dav(stack, 'PROPFIND', path, { headers: { Depth: '0' } });
  const xml = await res.text();
  return new RegExp(`<D:${prop}>([^<]*)</D:${prop}>`).exec(xml)?.[1];
}

/** What an uploaded page would do on the bridge's origin: act with the viewer's credentials. */
const HOSTILE_SCRIPT = 'document.title = "ran"; fetch("/Untrusted/canary.txt", { method: "DELETE" });';

describe('e2e: the folder page in Chromium', function () {
  this.timeout(120_000);
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let files: string;

  before(async function () {
    const chromium = requireChromium(this);
    stack = await startStack();
    browser = await launchChromium(chromium);
    files = mkdtempSync(join(tmpdir(), 'jottadav-page-'));
    for (const [path, body] of [
      ['/Docs/small.txt', 'x'.repeat(10)],
      ['/Docs/big.bin', 'x'.repeat(50_000)],
      ['/Docs/mid.md', 'x'.repeat(3_000)],
      ['/Docs/Sub/inner.txt', 'inner'],
      ['/Docs/page.html', '<title>page</title>'],
      ['/Docs/drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
      ['/Untrusted/canary.txt', 'still here'],
      ['/Untrusted/page.html', `<title>page</title><script>${HOSTILE_SCRIPT}</script>`],
      ['/Untrusted/drawing.svg', `<svg xmlns="http://www.w3.org/2000/svg"><script>${HOSTILE_SCRIPT}</script></svg>`],
    ] as const) {
      await dav(stack, 'MKCOL', path.slice(0, path.lastIndexOf('/') + 1));
      assert.equal((await dav(stack, 'PUT', path, { body })).status, 201, path);
    }
  });

  beforeEach(async () => {
    page = await openPage(browser, stack);
    problems = watchPageProblems(page);
    await page.emulateTimezone('Pacific/Auckland');
  });

  afterEach(async () => {
    await page.close();
    assert.deepEqual(problems, [], 'the page reported policy violations or errors');
  });

  after(async () => {
    await browser?.close();
    await stack?.close();
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('uploads through the file picker, creates a folder, navigates by breadcrumb and sorts by size; WebDAV sees it all', async () => {
    await page.goto(new URL('Docs/', stack.url).href);
    assert.deepEqual(await rowNames(page), ['Sub', 'big.bin', 'drawing.svg', 'mid.md', 'page.html', 'small.txt']);

    // Upload through the page's Upload button and the file picker it opens.
    const picked = join(files, 'report 1.txt');
    writeFileSync(picked, 'hello from the file picker');
    const mtime = new Date('2021-05-06T07:08:09Z');
    utimesSync(picked, mtime, mtime);
    const [chooser] = await Promise.all([page.waitForFileChooser(), page.click('#upload')]);
    await chooser.accept([picked]);
    await page.waitForSelector('tr[data-name="report 1.txt"]');
    await page.waitForSelector('#uploads li.done');
    assert.equal(await page.$eval('#status', (el) => el.textContent), 'Uploaded 1 file.');

    // A new folder, by keyboard alone: focus the button, Enter, type the name, Enter.
    await page.focus('#new-folder');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dialog[open]');
    await page.keyboard.type('Plans 2027');
    await page.keyboard.press('Enter');
    await page.waitForSelector('tr[data-name="Plans 2027"][data-kind="folder"]');

    // Into the new folder, then back by the breadcrumb.
    await Promise.all([page.waitForNavigation(), page.click('tr[data-name="Plans 2027"] a')]);
    assert.ok(page.url().endsWith('/Docs/Plans%202027/'), page.url());
    assert.deepEqual(await page.$$eval('nav.crumbs li', (items) => items.map((li) => li.textContent)), ['Home', 'Docs', 'Plans 2027']);
    assert.match(await page.$eval('#listing tbody', (el) => el.textContent ?? ''), /This folder is empty/);
    await Promise.all([page.waitForNavigation(), page.click('nav.crumbs a[href="/Docs/"]')]);
    assert.ok(page.url().endsWith('/Docs/'), page.url());

    // Sort by size: largest first, folders first; again for smallest first; a reload keeps it.
    await page.click('a.sort[data-column="size"]');
    assert.deepEqual(await rowNames(page), ['Plans 2027', 'Sub', 'big.bin', 'mid.md', 'drawing.svg', 'report 1.txt', 'page.html', 'small.txt']);
    assert.equal(await page.$eval('th.col-size', (th) => th.getAttribute('aria-sort')), 'descending');
    await page.click('a.sort[data-column="size"]');
    const ascending = ['Plans 2027', 'Sub', 'small.txt', 'page.html', 'report 1.txt', 'drawing.svg', 'mid.md', 'big.bin'];
    assert.deepEqual(await rowNames(page), ascending);
    assert.ok(page.url().endsWith('/Docs/?sort=size&order=asc'), page.url());
    await page.reload();
    assert.deepEqual(await rowNames(page), ascending, 'the server sorts the same way as the page');

    // What the page did, as WebDAV sees it.
    assert.deepEqual((await propfindNames(stack, '/Docs')).sort(), [
      '/Docs/Plans 2027/', '/Docs/Sub/', '/Docs/big.bin', '/Docs/drawing.svg', '/Docs/mid.md', '/Docs/page.html', '/Docs/report 1.txt', '/Docs/small.txt',
    ]);
    assert.deepEqual(await getText(stack, '/Docs/report 1.txt'), { status: 200, body: 'hello from the file picker' });
    assert.equal(await propOf(stack, '/Docs/report 1.txt', 'getlastmodified'), mtime.toUTCString(), 'the file keeps its own modification time');
    assert.match((await propfindNames(stack, '/Docs/Plans 2027')).join(), /^$/);
  });

  it('shows human sizes and local dates, and filters by name', async () => {
    await page.goto(new URL('Docs/', stack.url).href);
    assert.equal(await page.$eval('tr[data-name="big.bin"] .col-size', (td) => td.textContent), '50 kB');
    const iso = await page.$eval('tr[data-name="small.txt"] time', (el) => el.getAttribute('datetime') ?? '');
    const shown = await page.$eval('tr[data-name="small.txt"] time', (el) => el.textContent ?? '');
    const expected = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Pacific/Auckland' }).format(new Date(iso));
    assert.equal(shown.replace(/\s/g, ' '), expected.replace(/\s/g, ' '), 'the date in the browser time zone');
    assert.doesNotMatch(shown, /UTC/);

    await page.keyboard.press('/');
    await page.keyboard.type('.M');
    assert.deepEqual(await visibleRowNames(page), ['mid.md']);
    await page.keyboard.type('zz');
    assert.deepEqual(await visibleRowNames(page), []);
    assert.match(await page.$eval('#listing tbody', (el) => el.textContent ?? ''), /No items match/);
    await page.keyboard.press('Escape');
    assert.equal((await visibleRowNames(page)).length, (await rowNames(page)).length);
  });

  it('renames and deletes (after confirming) and uploads a dropped file', async () => {
    await page.goto(new URL('Docs/', stack.url).href);
    await page.click('tr[data-name="small.txt"] button[data-action="rename"]');
    await page.waitForSelector('#dialog[open]');
    // The name is selected up to its extension: typing replaces the stem.
    await page.keyboard.type('tiny');
    await page.click('#dialog-ok');
    await page.waitForSelector('tr[data-name="tiny.txt"]');
    assert.equal(await page.evaluate('document.activeElement.closest("tr").dataset.name'), 'tiny.txt', 'the focus follows the renamed row');

    // Cancelling a delete keeps the file; confirming deletes it.
    await page.click('tr[data-name="mid.md"] button[data-action="delete"]');
    await page.waitForSelector('#dialog[open]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#dialog:not([open])');
    assert.equal((await dav(stack, 'HEAD', '/Docs/mid.md')).status, 200);
    await page.click('tr[data-name="mid.md"] button[data-action="delete"]');
    await page.waitForSelector('#dialog[open]');
    await page.click('#dialog-ok');
    await page.waitForFunction('!document.querySelector(\'tr[data-name="mid.md"]\')');

    // A file dropped on the page (the drop event a browser fires, with a file in it).
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
      document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
    await page.waitForSelector('tr[data-name="dropped.txt"]');
    assert.equal(await page.$eval('#drop-overlay', (el) => el.hasAttribute('hidden')), true);

    assert.deepEqual(await getText(stack, '/Docs/tiny.txt'), { status: 200, body: 'x'.repeat(10) });
    assert.equal((await dav(stack, 'HEAD', '/Docs/small.txt')).status, 404);
    assert.equal((await dav(stack, 'HEAD', '/Docs/mid.md')).status, 404);
    assert.deepEqual(await getText(stack, '/Docs/dropped.txt'), { status: 200, body: 'dropped bytes' });
  });

  it('reads without JavaScript: the table, its links, and sorting through the header links', async () => {
    await page.setJavaScriptEnabled(false);
    await page.goto(new URL('Docs/', stack.url).href);
    assert.equal(await page.$eval('#upload', (el) => el.checkVisibility()), false, 'controls that need the script are hidden');
    assert.match(await page.$eval('tr[data-name="big.bin"] time', (el) => el.textContent ?? ''), / UTC$/);
    await Promise.all([page.waitForNavigation(), page.click('a.sort[data-column="size"]')]);
    assert.ok(page.url().endsWith('/Docs/?sort=size&order=desc'), page.url());
    const names = await rowNames(page);
    assert.equal(names.indexOf('big.bin'), names.findIndex((n) => !['Plans 2027', 'Sub'].includes(n)), 'the largest file comes first after the folders');
    await Promise.all([page.waitForNavigation(), page.click('tr[data-name="Sub"] a')]);
    assert.deepEqual(await rowNames(page), ['inner.txt']);
  });

  it('refuses a name that exists, in the dialog, without a request', async () => {
    await page.goto(new URL('Docs/', stack.url).href);
    await page.click('#new-folder');
    await page.waitForSelector('#dialog[open]');
    await page.keyboard.type('sub');
    await page.keyboard.press('Enter');
    assert.match(await page.$eval('#dialog-error', (el) => el.textContent ?? ''), /already exists/);
    await page.keyboard.press('Escape');
  });

  for (const name of ['page.html', 'drawing.svg']) {
    it(`opens an uploaded ${name} without letting its script run on the bridge's origin`, async () => {
      const res = await page.goto(new URL(`Untrusted/${name}`, stack.url).href, { waitUntil: 'networkidle0' });
      assert.equal(res?.status(), 200);
      assert.notEqual(await page.title(), 'ran', 'its script did not run');
      assert.equal(await page.evaluate('self.origin'), 'null', 'the document has an opaque origin of its own');
      assert.deepEqual(await getText(stack, '/Untrusted/canary.txt'), { status: 200, body: 'still here' });
      problems.length = 0; // Chromium reports the blocked script: that is the point
    });
  }
});
