/**
 * rclone as a WebDAV client (vendor owncloud): copy a tree up with X-OC-Mtime, verify it with
 * `rclone check` (MD5 from oc:checksums), and read it back. Needs the rclone binary; CI installs
 * it, elsewhere the spec is pending when it is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PASSWORD, startTestServer, USER, type TestServer } from './harness.js';

const run = promisify(execFile);

async function rcloneAvailable(): Promise<boolean> {
  try {
    await run('rclone', ['version']);
    return true;
  } catch {
    return false;
  }
}

describe('dav: interop with rclone (vendor owncloud)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let dir: string;

  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'dav-rclone-'));
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('copies a tree with modification times and verifies it by MD5', async function () {
    if (!(await rcloneAvailable())) {
      if (process.env.CI) assert.fail('rclone is not installed, and CI must run it');
      console.warn('    pending: the rclone binary is not installed');
      this.skip();
    }
    const src = join(dir, 'src');
    await mkdir(join(src, 'sub dir'), { recursive: true });
    await writeFile(join(src, 'a & b.txt'), 'hello');
    await writeFile(join(src, 'sub dir', 'data.bin'), Buffer.alloc(300_000, 7));
    await utimes(join(src, 'a & b.txt'), new Date('2021-05-05T10:00:00Z'), new Date('2021-05-05T10:00:00Z'));
    await writeFile(join(dir, 'rclone.conf'), '');
    const { stdout: obscured } = await run('rclone', ['obscure', PASSWORD]);
    const remote = [':webdav:/up', '--webdav-url', server.url, '--webdav-user', USER, '--webdav-pass', obscured.trim(), '--webdav-vendor', 'owncloud'];
    const env = { ...process.env, RCLONE_CONFIG: join(dir, 'rclone.conf') };
    await run('rclone', ['copy', src, ...remote], { env });
    const check = await run('rclone', ['check', src, ...remote], { env });
    assert.match(check.stderr, /0 differences found/);
    assert.match(check.stderr, /2 matching files/);
    // The comparison used MD5 from oc:checksums, not just sizes.
    assert.doesNotMatch(check.stderr, /hashes could not be checked/);
    const { stdout: listing } = await run('rclone', ['lsl', ...remote], { env });
    assert.match(listing, /5 2021-05-05 10:00:00\.000000000 a & b\.txt/);
    assert.equal((await server.vfs.stat('/up/a & b.txt')).modified?.toISOString(), '2021-05-05T10:00:00.000Z');
    await run('rclone', ['copy', remote[0] as string, join(dir, 'back'), ...remote.slice(1)], { env });
    const back = await run('rclone', ['check', src, join(dir, 'back')], { env });
    assert.match(back.stderr, /0 differences found/);
  });
});
