/**
 * rclone (the Debian package) as a WebDAV client of the whole stack, vendor owncloud: `rclone
 * sync` of a tree with hostile names, then `rclone check` by hash (MD5 from oc:checksums, no
 * --download) and `rclone lsl` of both sides. rclone runs on an on-the-fly `:webdav:` remote with
 * an empty config and its config/cache dirs in a temp dir, and is killed if it overruns. CI
 * installs rclone; elsewhere a missing binary makes the spec pending with the reason.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RemoteView } from '../e2e/helpers.js';
import { rcloneIn, requireRclone, webdavRemote } from '../support/rclone.js';
import { startStack, type Stack } from '../support/stack.js';

/** The tree: client names → content, and mtimes with a fractional part (rclone sends whole seconds). */
const TREE: Array<{ path: string; content: Buffer; mtime: number }> = [
  { path: `hello? sausage/êé/Hello, 世界/ " ' @ < > & ? + ≠/z.txt`, content: Buffer.from('sausage'), mtime: 1_500_000_000.25 },
  { path: 'file % name.txt', content: Buffer.from('percent'), mtime: 1_600_000_000 },
  { path: 'empty.txt', content: Buffer.alloc(0), mtime: 1_610_000_000.5 },
  { path: 'big/three-mib.bin', content: Buffer.alloc(3 * 1024 * 1024, 0x5a).fill('jottadav', 1000, 2000), mtime: 1_620_000_000.75 },
  { path: 'nested/a/b/c/deep.txt', content: Buffer.from('deep'), mtime: 1_630_000_000 },
  { path: 'nested/a/sibling & co.txt', content: Buffer.from('sibling'), mtime: 1_640_000_000 },
  { path: 'unicode/ภาษาไทย 😀.txt', content: Buffer.from('thai'), mtime: 1_650_000_000 },
  { path: 'unicode/:*|.txt', content: Buffer.from('reserved'), mtime: 1_660_000_000 },
];

interface LslLine {
  size: number;
  /** Modification time truncated to the second, as 'YYYY-MM-DD HH:MM:SS'. */
  time: string;
  path: string;
}

/** `rclone lsl` prints "<size> <YYYY-MM-DD> <HH:MM:SS.nnnnnnnnn> <path>". */
function parseLsl(text: string): LslLine[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const m = /^\s*(\d+) (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.\d+)? (.*)$/.exec(line);
      if (!m) throw new Error(`unparsed lsl line: ${JSON.stringify(line)}`);
      return { size: Number(m[1]), time: `${m[2]} ${m[3]}`, path: m[4]! };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

describe('interop: rclone (vendor owncloud) against the whole stack', function () {
  this.timeout(120_000);
  let stack: Stack;
  let dir: string;

  before(async () => {
    stack = await startStack();
    dir = await mkdtemp(join(tmpdir(), 'e2e-rclone-'));
  });
  after(async () => {
    await stack?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('syncs a hostile tree, then check by hash finds 0 differences and lsl matches on both sides', async function () {
    const bin = requireRclone(this);
    const src = join(dir, 'src');
    for (const f of TREE) {
      const file = join(src, f.path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, f.content);
      await utimes(file, f.mtime, f.mtime);
    }
    const rclone = await rcloneIn(bin, dir);
    const remote = await webdavRemote(rclone, '/synced', stack.url, stack.user, stack.password);

    const sync = await rclone(['sync', src, ...remote]);
    assert.equal(sync.code, 0, sync.stderr);

    const check = await rclone(['check', src, ...remote]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /0 differences found/);
    assert.match(check.stderr, new RegExp(`${TREE.length} matching files`));
    // The comparison used MD5 (oc:checksums), not only sizes.
    assert.doesNotMatch(check.stderr, /hashes could not be checked|no hashes in common/i);

    const local = await rclone(['lsl', src]);
    const bridged = await rclone(['lsl', ...remote]);
    assert.equal(local.code, 0, local.stderr);
    assert.equal(bridged.code, 0, bridged.stderr);
    const localLines = parseLsl(local.stdout);
    assert.equal(localLines.length, TREE.length);
    assert.deepEqual(parseLsl(bridged.stdout), localLines);

    // On the service the names are in rclone's own jottacloud encoding, so rclone's jottacloud
    // backend would show the very same names.
    const view = await RemoteView.open(stack);
    const top = await view.live('/synced');
    for (const name of ['hello？ sausage', 'file ％ name.txt', 'big', 'nested', 'unicode']) assert.ok(top.includes(name), `${name} in ${JSON.stringify(top)}`);
    assert.ok((await view.live('/synced/unicode')).includes('：＊｜.txt'));

    // And a second sync finds nothing to transfer: sizes, times and hashes all agree.
    const again = await rclone(['sync', src, ...remote, '-v']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /There was nothing to transfer|Transferred:\s+0 \/ 0/);
  });
});
