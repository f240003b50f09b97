import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { allText, session, type Session } from './helpers.js';
import { seededRandom as seeded } from '../../lib/util/seeded-random.js';

/** What a client can see of the account, in an order that does not depend on insertion order. */
async function observe(s: Session): Promise<{ tree: string[]; trash: string[]; usage: number; revisions: string[] }> {
  const list = await (await fetch(`${s.jfs('Jotta/Archive')}?mode=liststream`, s.auth())).text();
  const tree = [...list.matchAll(/<(file|folder)>.*?<\/\1>/g)].map((m) => m[0]).sort();
  const trashDoc = await (await s.get('Jotta/Trash')).text();
  const trash = [...trashDoc.matchAll(/<(file|folder) name="[^"]*"/g)].map((m) => m[0]).sort();
  const customer = (await (await s.api('account/v1/customer')).json()) as { usage: number };
  const revisions: string[] = [];
  for (const file of tree.filter((t) => t.startsWith('<file>'))) {
    const path = /<path>(.*?)<\/path>/.exec(file)![1]!;
    const name = /<filename>(.*?)<\/filename>/.exec(file)![1]!;
    const rel = `${path.split('/').slice(2).join('/')}/${name}`.replace(/&amp;/g, '&');
    const doc = await (await s.get(`Jotta/${rel}`)).text();
    revisions.push(`${rel}: ${allText(doc, 'md5').join(',')}`);
  }
  return { tree, trash, usage: customer.usage, revisions: revisions.sort() };
}

/** A mixed run of every kind of edit, chosen by a seeded generator. */
async function mixedRun(s: Session, steps: number, seed: number): Promise<void> {
  const random = seeded(seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const folders = ['a', 'b', 'a/deep', 'c'];
  const names = ['one.txt', 'two.bin', 'three.md', 'Four.TXT'];
  for (let i = 0; i < steps; i++) {
    const path = `Jotta/Archive/${pick(folders)}/${pick(names)}`;
    const op = random();
    if (op < 0.4) await s.upload(path, `content ${Math.floor(random() * 6)} of ${path}`);
    else if (op < 0.5) await s.post(path, 'dl=true');
    else if (op < 0.58) await s.post(path, 'rm=true');
    else if (op < 0.68) await s.post(path, `mv=${encodeURIComponent(`/${s.user}/Jotta/Archive/${pick(folders)}/${pick(names)}`)}`);
    else if (op < 0.78) await s.post(path, `cp=${encodeURIComponent(`/${s.user}/Jotta/Archive/${pick(folders)}/${pick(names)}`)}`);
    else if (op < 0.83) await s.post(`Jotta/Archive/${pick(folders)}/sub-${i % 3}`, 'mkDir=true');
    else if (op < 0.87) await s.post(`Jotta/Archive/${pick(folders)}/`, `mvDir=${encodeURIComponent(`/${s.user}/Jotta/Archive/moved-${i}`)}`);
    else if (op < 0.9) await s.post(`Jotta/Archive/${pick(['a', 'b', 'c'])}`, 'dlDir=true');
    else if (op < 0.93) await fetch(`${s.jfs(path)}?mode=enableShare`, s.auth());
    else if (op < 0.95) await s.api('files/v1/purge_trash', { method: 'POST' });
    else await s.post(`Jotta/Archive/${pick(folders)}`, 'mkDir=true');
  }
}

describe('emulator metadata: snapshot plus journal', () => {
  let dir: string;
  const running: Emulator[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-emu-journal-'));
  });
  after(async () => {
    for (const e of running) await e.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const boot = async (dataDir: string) => {
    const emu = await startEmulator({ dataDir, port: 0 });
    running.push(emu);
    return emu;
  };
  const stop = async (emu: Emulator) => {
    await emu.close();
    running.splice(running.indexOf(emu), 1);
  };

  it('a seeded mixed run of uploads, overwrites, moves, copies, trash, deletes, shares and purges reads back the same after a restart', async () => {
    const dataDir = join(dir, 'mixed');
    const first = await boot(dataDir);
    const s = await session(first);
    await mixedRun(s, 300, 20261202);
    const before = await observe(s);
    assert.ok(before.tree.length > 5, 'the run left files behind');
    await stop(first);
    // Changes after the first snapshot went to the journal.
    assert.ok(readFileSync(join(dataDir, 'journal.ndjson'), 'utf8').length > 0);

    const second = await boot(dataDir);
    const s2 = await session(second);
    const afterRestart = await observe(s2);
    assert.deepEqual(afterRestart.tree, before.tree);
    assert.deepEqual(afterRestart.trash, before.trash);
    assert.deepEqual(afterRestart.revisions, before.revisions);
    // The usage kept as edits happen equals the one counted afresh from the reloaded tree.
    assert.equal(afterRestart.usage, before.usage);
    await stop(second);
  });

  it('a torn last journal line (a crash mid-append) is ignored, and what comes after it is not lost on the next restart', async () => {
    const dataDir = join(dir, 'torn');
    const first = await boot(dataDir);
    const s = await session(first);
    await s.upload('Jotta/Archive/torn/kept.txt', 'kept');
    await stop(first);
    appendFileSync(join(dataDir, 'journal.ndjson'), '{"seq": 99999, "nodes": [{"u": "half');
    const second = await boot(dataDir);
    const s2 = await session(second);
    assert.equal(await (await fetch(`${s2.jfs('Jotta/Archive/torn/kept.txt')}?mode=bin`, s2.auth())).text(), 'kept');
    await s2.upload('Jotta/Archive/torn/later.txt', 'written after the torn line');
    await stop(second);
    const third = await boot(dataDir);
    const s3 = await session(third);
    assert.equal(await (await fetch(`${s3.jfs('Jotta/Archive/torn/later.txt')}?mode=bin`, s3.auth())).text(), 'written after the torn line');
    await stop(third);
  });

  it('a version-1 state.json (one nested document) is migrated on start', async () => {
    const dataDir = join(dir, 'legacy');
    const first = await boot(dataDir);
    const s = await session(first);
    await s.upload('Jotta/Archive/old/file.txt', 'from the old format');
    const user = first.username;
    await stop(first);
    const v2 = JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')) as { meta: { devices: { name: string; type: string; sid: string; mounts: { modified?: number; root: { name: string; uuid: string } }[] }[]; uploads: unknown[]; auth: unknown } };
    // Rebuild the old nested layout by hand from what the service held: one file under old/.
    const rev = { number: 1, state: 'COMPLETED', created: 1, modified: 1, updated: 1, mime: 'text/plain', size: 19, md5: '' };
    rev.md5 = (await import('node:crypto')).createHash('md5').update('from the old format').digest('hex');
    const legacy = {
      version: 1,
      username: user,
      devices: v2.meta.devices.map((d) => ({
        ...d,
        mounts: d.mounts.map((m) => ({
          ...m,
          root: { k: 'd', name: m.root.name, uuid: m.root.uuid, children: m.root.name === 'Archive' ? [{ k: 'd', name: 'old', uuid: 'u-old', children: [{ k: 'f', name: 'file.txt', uuid: 'u-file', revisions: [rev] }] }] : [] },
        })),
      })),
      uploads: [],
      auth: v2.meta.auth,
    };
    writeFileSync(join(dataDir, 'state.json'), JSON.stringify(legacy));
    writeFileSync(join(dataDir, 'journal.ndjson'), '');
    const second = await boot(dataDir);
    const s2 = await session(second);
    assert.equal(await (await fetch(`${s2.jfs('Jotta/Archive/old/file.txt')}?mode=bin`, s2.auth())).text(), 'from the old format');
    await stop(second);
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')).version, 2);
  });

  it('kill -9 of `jottadav emulator` a moment after an upload keeps the upload (it is in the journal)', async function () {
    this.timeout(60_000);
    const dataDir = join(dir, 'killed');
    const infoFile = join(dir, 'killed-info.json');
    const bin = fileURLToPath(new URL('../../bin/jottadav.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--data', dataDir, '--info-file', infoFile], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 300 && !existsSync(infoFile); i++) await new Promise((r) => setTimeout(r, 50));
      const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string; jfs: string; api: string; loginToken: string; username: string };
      const fake = { urls: { jfs: info.jfs, api: info.api, tokenEndpoint: `${info.url}/auth/realms/jottacloud/protocol/openid-connect/token` }, username: info.username, mintLoginToken: () => info.loginToken } as unknown as Emulator;
      const s = await session(fake);
      await s.upload('Jotta/Archive/crash/survivor.txt', 'confirmed before the crash');
      // The journal is appended a moment after a change; a crash after that loses nothing.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const again = await boot(dataDir);
    const s2 = await session(again);
    assert.equal(await (await fetch(`${s2.jfs('Jotta/Archive/crash/survivor.txt')}?mode=bin`, s2.auth())).text(), 'confirmed before the crash');
    await stop(again);
  });
});
