/**
 * names.encoding against rclone's own encoder. rclone's jottacloud backend cannot reach the
 * emulator without a TLS proxy, but every rclone backend runs names through the same encoder, and
 * the local backend writes what it produces to disk: `rclone copy` from a folder of client names
 * to `:local,encoding=<flag>:` stores each name as rclone would store it on Jottacloud with that
 * flag. The spec compares those names with our codec's, flag by flag, and reads them back with
 * both. Flags the installed rclone does not know (Debian's 1.60.1 predates Raw and Exclamation)
 * are reported as pending.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NameCodec } from '../../lib/vfs/name-codec.js';
import { bytesToClientName, clientNameToBytes } from '../../lib/vfs/names.js';
import { rcloneIn, requireRclone } from '../support/rclone.js';
import { RCLONE_ENCODING_TABLE } from '../support/rclone-encoding-table.js';

describe("interop: names.encoding stores names as rclone's encoder does", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-rclone-encoding-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [flag, cases] of Object.entries(RCLONE_ENCODING_TABLE)) {
    // A Linux file name holds neither `/` nor NUL; `.`/`..` are not names; and the source side is
    // read with `None`, which turns a literal ␀ into NUL and reads a name with a stray `‛` under
    // another name than it has on disk, before the flag under test sees it.
    const onDisk = cases.filter((c) => !/[/\u0000\u2400\u201b]/.test(c.name) && c.name !== '.' && c.name !== '..');
    it(`${flag}: rclone's stored names for ${onDisk.length} names equal ours, and both read them back`, async function () {
      const bin = requireRclone(this);
      const codec = NameCodec.of(flag);
      const src = join(dir, flag, 'src');
      const dst = join(dir, flag, 'dst');
      mkdirSync(src, { recursive: true });
      // Written as bytes: a name with invalid UTF-8 is its raw bytes on disk, as a client sent it.
      for (const c of onDisk) writeFileSync(Buffer.concat([Buffer.from(`${src}/`), clientNameToBytes(c.name)]), c.name.length.toString());
      const rclone = await rcloneIn(bin, join(dir, flag));
      const copy = await rclone(['copy', `:local,encoding=None:${src}`, `:local,encoding="${flag}":${dst}`]);
      if (/bad encoding/.test(copy.stderr)) {
        console.warn(`    pending: this rclone does not know the flag ${flag}`);
        this.skip();
      }
      assert.equal(copy.code, 0, copy.stderr);
      const stored = readdirSync(dst, { encoding: 'buffer' }).map((b) => bytesToClientName(b)).sort();
      assert.deepEqual(stored, onDisk.map((c) => codec.encode(c.name)).sort(), 'stored names');
      assert.deepEqual(stored, onDisk.map((c) => c.stored).sort(), 'the documented table');
      assert.deepEqual(stored.map((s) => codec.decode(s)).sort(), onDisk.map((c) => c.name).sort(), 'read back by jottadav');
      // And rclone reads its stored names back to the client names (copied back out with None).
      const back = join(dir, flag, 'back');
      const copyBack = await rclone(['copy', `:local,encoding="${flag}":${dst}`, `:local,encoding=None:${back}`]);
      assert.equal(copyBack.code, 0, copyBack.stderr);
      assert.deepEqual(readdirSync(back, { encoding: 'buffer' }).map((b) => bytesToClientName(b)).sort(), onDisk.map((c) => c.name).sort(), 'read back by rclone');
    });
  }
});
