/**
 * Makes the README's picture of the folder page: `npm run screenshot` starts the whole stack on
 * loopback, fills a folder with sample files over WebDAV, opens it in Chromium (the same harness
 * as the folder page's spec) and writes docs/browser.png (or the path given as argument).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { findChromium, launchChromium, openPage } from './chromium.js';
import { startStack, type Stack } from './stack.js';

const DAY = 24 * 3600 * 1000;

/** A folder that looks like someone's: a few folders, files of several kinds, sizes and ages. */
async function seedSampleFolder(stack: Stack, folder: string, now = Date.now()): Promise<void> {
  const put = async (path: string, bytes: number, ageDays: number) => {
    const res = await fetch(new URL(encodeURI(path.slice(1)), stack.url), {
      method: 'PUT',
      headers: { Authorization: stack.authHeader(), 'X-OC-Mtime': String(Math.floor((now - ageDays * DAY) / 1000)) },
      body: Buffer.alloc(bytes, 'jottadav '),
    });
    if (!res.ok) throw new Error(`PUT ${path}: ${res.status}`);
  };
  const mkcol = async (path: string) => {
    const res = await fetch(new URL(`${encodeURI(path.slice(1))}/`, stack.url), { method: 'MKCOL', headers: { Authorization: stack.authHeader() } });
    if (!res.ok) throw new Error(`MKCOL ${path}: ${res.status}`);
  };
  await mkcol(folder);
  for (const [name, ageDays] of [['Invoices', 3], ['Photos 2026', 12], ['Tax return', 40]] as const) {
    await mkcol(`${folder}/${name}`);
    await put(`${folder}/${name}/README.txt`, 120, ageDays);
    // A folder's date comes from its listing (Jottacloud keeps none): list it once, as a visit would.
    const listed = await fetch(new URL(`${encodeURI(`${folder}/${name}`.slice(1))}/`, stack.url), { method: 'PROPFIND', headers: { Authorization: stack.authHeader(), Depth: '1' } });
    if (listed.status !== 207) throw new Error(`PROPFIND ${name}: ${listed.status}`);
  }
  const files: Array<[string, number, number]> = [
    ['Annual report 2026.pdf', 2_480_000, 0.2],
    ['Budget.xlsx', 48_200, 1.4],
    ['Holiday in Lofoten.jpg', 3_150_000, 6],
    ['Meeting notes.md', 3_400, 0.05],
    ['Product launch.pptx', 1_210_000, 9],
    ['Project archive.zip', 5_900_000, 21],
    ['Recording.mp3', 860_000, 33],
    ['deploy.ts', 2_100, 2.5],
  ];
  for (const [name, bytes, ageDays] of files) await put(`${folder}/${name}`, bytes, ageDays);
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? 'docs/browser.png');
  const chromium = findChromium();
  if (!chromium) throw new Error('chromium is not installed (Debian package "chromium")');
  const stack = await startStack();
  const browser = await launchChromium(chromium);
  try {
    await seedSampleFolder(stack, '/Documents');
    const page = await openPage(browser, stack, { width: 1280, height: 760 });
    await page.emulateTimezone('Europe/Oslo');
    await page.goto(new URL('Documents/', stack.url).href, { waitUntil: 'networkidle0' });
    await page.hover('tr[data-name="Budget.xlsx"] td.col-name');
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out as `${string}.png` });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await stack.close();
  }
}

await main();
