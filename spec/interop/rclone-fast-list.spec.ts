/**
 * A tree walk reads the tree in one request. rclone sends one PROPFIND Depth 1 per folder; once a
 * folder and two of its subfolders were listed, the bridge reads the rest of the subtree with one
 * `mode=liststream` request and answers the remaining folders from its cache. The tree is made on
 * the service behind the bridge's back, so every folder starts cold; a second stack with
 * `cache.fastList: false` shows the count the walk costs without it.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isJfsListing, logLength, logSince, RemoteView } from '../e2e/helpers.js';
import { rcloneIn, requireRclone, webdavRemote, type Rclone } from '../support/rclone.js';
import { startStack, type Stack } from '../support/stack.js';

const TOP = 4;
const SUB = 6;
const FOLDERS = 1 + TOP + TOP * SUB; // the tree's root, its folders and their subfolders
const MTIME = 1_700_000_000;

/** Every file of the tree: two in each subfolder, one in each top folder. */
function treeFiles(): Array<{ path: string; content: string }> {
  const files: Array<{ path: string; content: string }> = [];
  for (let t = 0; t < TOP; t++) {
    files.push({ path: `top-${t}/readme.txt`, content: `top ${t}` });
    for (let s = 0; s < SUB; s++) {
      files.push({ path: `top-${t}/sub-${s}/a.txt`, content: `a in ${t}/${s}` });
      files.push({ path: `top-${t}/sub-${s}/b & c.txt`, content: `b in ${t}/${s}` });
    }
  }
  return files;
}

async function makeLocal(dir: string): Promise<string> {
  const src = join(dir, 'src');
  for (const f of treeFiles()) {
    const file = join(src, f.path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, f.content);
    await utimes(file, MTIME, MTIME);
  }
  return src;
}

/** The tree straight on the service, so that the bridge has listed none of it. */
async function makeRemote(stack: Stack): Promise<void> {
  const remote = await RemoteView.open(stack);
  for (const f of treeFiles()) await remote.upload(`/tree/${f.path}`, f.content);
}

interface Walk {
  liststreams: number;
  listings: number;
}

/** `rclone sync --size-only` of an identical tree: nothing to copy, so the run is the walk. */
async function syncWalk(stack: Stack, rclone: Rclone, src: string): Promise<Walk> {
  const remote = await webdavRemote(rclone, '/tree', stack.url, stack.user, stack.password);
  const since = logLength(stack);
  const sync = await rclone(['sync', src, ...remote, '--size-only', '-v']);
  assert.equal(sync.code, 0, sync.stderr);
  assert.doesNotMatch(sync.stderr, /Copied \(new\)/, 'the trees are identical: nothing is copied');
  const log = logSince(stack, since);
  const check = await rclone(['check', src, ...remote]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stderr, /0 differences found/);
  assert.match(check.stderr, new RegExp(`${treeFiles().length} matching files`));
  return {
    liststreams: log.filter((e) => e.method === 'GET' && /(^|&)mode=liststream/.test(e.query)).length,
    listings: log.filter((e) => isJfsListing(e) && !/(^|&)mode=liststream/.test(e.query)).length,
  };
}

describe('interop: an rclone sync walk reads the tree with one liststream request', function () {
  this.timeout(120_000);
  let dir: string;
  const stacks: Stack[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-fast-list-'));
  });
  after(async () => {
    for (const s of stacks) await s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`walks ${FOLDERS} folders with one liststream and a few folder listings; without fast-list, one listing per folder`, async function () {
    const bin = requireRclone(this);
    const rclone = await rcloneIn(bin, join(dir, 'rclone'));
    const src = await makeLocal(dir);

    const fast = await startStack();
    stacks.push(fast);
    await makeRemote(fast);
    const withFastList = await syncWalk(fast, rclone, src);
    assert.equal(withFastList.liststreams, 1, JSON.stringify(withFastList));
    // The tree's root and the first two folders of the walk, before the walk is recognised.
    assert.ok(withFastList.listings <= 4, `folder listings with fast-list: ${withFastList.listings}`);

    const slow = await startStack({ config: { cache: { fastList: false } } });
    stacks.push(slow);
    await makeRemote(slow);
    const without = await syncWalk(slow, rclone, src);
    assert.equal(without.liststreams, 0);
    assert.ok(without.listings >= FOLDERS, `folder listings without fast-list: ${without.listings} for ${FOLDERS} folders`);
  });
});
