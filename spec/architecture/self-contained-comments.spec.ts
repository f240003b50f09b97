/**
 * The repository stands alone: no comment, string or doc cites a document that lives outside it
 * (the research notes the project started from), a numbered section of such a document, or a
 * tracker issue or house-style habit by number. Facts go in the comment itself or in docs/.
 * Section signs of an RFC ("RFC 4918 §9.1") are fine: anyone can look those up.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { projectRoot } from '../support/project-root.js';

const root = projectRoot();
const SCANNED = ['lib', 'bin', 'spec', 'docs', '.ci', 'README.md', 'config.example.json'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git']);

// Spelled in pieces so that this file does not match its own rules.
const SECTION = '\u00a7';
const OUTSIDE: readonly { label: string; test: RegExp }[] = [
  { label: 'the API research notes', test: new RegExp(['jottacloud', 'api'].join('-'), 'i') },
  { label: 'the client research notes', test: new RegExp(['webdav', 'clients\\.md'].join('-'), 'i') },
  { label: 'the architecture notes', test: new RegExp(['architecture', 'md'].join('\\.'), 'i') },
  { label: 'the rclone bench notes', test: new RegExp(['rclone', 'on', 'emulator'].join('-'), 'i') },
  { label: 'the seed docs', test: new RegExp(['seed', 'rclone'].join('-'), 'i') },
  { label: 'a habit number', test: new RegExp('\\b' + 'habit' + 's?\\s+#?\\d', 'i') },
  { label: 'an issue number', test: new RegExp('\\b' + 'issue' + 's?\\s+#?\\d', 'i') },
  { label: 'the shared folder', test: new RegExp(['/work', 'shared'].join('/') + '|\\.\\./' + 'shared\\b') },
];

/** Why `line` cites something outside the repository, or undefined when it does not. */
function outsideReference(line: string): string | undefined {
  const section = line.indexOf(SECTION);
  if (section >= 0) {
    const rfc = line.search(/\bRFC\s*\d/);
    if (rfc < 0 || rfc > section) return 'a section sign of a document outside the repository';
  }
  return OUTSIDE.find((o) => o.test.test(line))?.label;
}

async function filesBelow(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  const entries = await readdir(path, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return [path]; // a file
  const out: string[] = [];
  for (const entry of entries) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Every text file scanned, by path relative to the root, as lines; binaries (images) are skipped. */
async function scannedTexts(): Promise<{ file: string; lines: string[] }[]> {
  const files = (await Promise.all(SCANNED.map((p) => filesBelow(join(root, p))))).flat();
  assert.ok(files.some((f) => f.endsWith('.ts')), 'no sources found: wrong project root?');
  const out: { file: string; lines: string[] }[] = [];
  for (const file of files) {
    const buffer = await readFile(file);
    if (buffer.includes(0)) continue;
    out.push({ file: relative(root, file), lines: buffer.toString('utf8').split('\n') });
  }
  return out;
}

describe('architecture: comments and docs stand alone', () => {
  it('recognises each kind of outside reference, and lets RFC sections and in-repo docs pass', () => {
    const bad = [
      `see ${SECTION}5.2`,
      `(${['jottacloud', 'api'].join('-')}.md ${SECTION}4)`,
      `measured in ${['webdav', 'clients.md'].join('-')}`,
      `the layers of ${['architecture', 'md'].join('.')}`,
      `as ${['rclone', 'on', 'emulator'].join('-')} says`,
      `(${'habit'} 4)`,
      `found by ${'issue'} 5`,
      `${SECTION}9.6.1 after RFC 4918`,
      `read ${['..', 'shared', 'x.txt'].join('/')}`,
    ];
    for (const line of bad) assert.ok(outsideReference(line), `not caught: ${line}`);
    const good = [
      `RFC 4918 ${SECTION}9.1: a missing Depth is infinity`,
      `RFC 9110 ${SECTION}13.1.5 and ${SECTION}14.6`,
      'docs/jottacloud-protocol.md "Allocate and upload"',
      "await put(a, '/shared/doc.txt', 'x')",
      '<D:lockscope><D:shared/></D:lockscope>',
    ];
    for (const line of good) assert.equal(outsideReference(line), undefined, `wrongly caught: ${line}`);
  });

  it('no line in lib, bin, spec, docs, .ci, README.md or config.example.json cites a document outside the repository', async () => {
    const found: string[] = [];
    for (const { file, lines } of await scannedTexts()) {
      lines.forEach((line, i) => {
        const why = outsideReference(line);
        if (why) found.push(`${file}:${i + 1}: ${why}: ${line.trim().slice(0, 120)}`);
      });
    }
    assert.deepEqual(found, [], `${found.length} line(s) cite something outside the repository; state the fact in place or in docs/:\n${found.join('\n')}`);
  });

  it('every docs/ heading a line cites (the file name, then the heading in double quotes) exists, so renaming a heading cannot leave stale citations', async () => {
    const texts = await scannedTexts();
    const headings = new Map<string, Set<string>>();
    for (const { file, lines } of texts) {
      if (file.startsWith('docs/')) headings.set(file, new Set(lines.filter((l) => /^#{2,3} /.test(l)).map((l) => l.replace(/^#+ /, '').trim())));
    }
    const stale: string[] = [];
    for (const { file, lines } of texts) {
      lines.forEach((line, i) => {
        for (const m of line.matchAll(/(docs\/[\w.-]+\.md) "([^"]+)"/g)) {
          if (!headings.get(m[1] as string)?.has(m[2] as string)) stale.push(`${file}:${i + 1}: ${m[0]}`);
        }
      });
    }
    assert.ok(headings.size > 0, 'no docs found');
    assert.deepEqual(stale, [], `citations of headings that do not exist:\n${stale.join('\n')}`);
  });
});
